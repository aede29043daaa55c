import sys


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    bookings = sorted(zip(map(int, data[1:2 * n + 1:2]), map(int, data[2:2 * n + 2:2])))
    blocks = busy = 0
    block_start, block_end = bookings[0]
    for start, end in bookings[1:]:
        if start <= block_end:
            block_end = max(block_end, end)
        else:
            blocks += 1
            busy += block_end - block_start
            block_start, block_end = start, end
    blocks += 1
    busy += block_end - block_start
    print(blocks, busy)


main()
