import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    workers = sorted(map(int, data[2:2 + n]))
    jobs = sorted(map(int, data[2 + n:2 + n + m]))
    done = 0
    for skill in workers:
        # The easiest job left goes to the weakest worker who can do it; stronger workers stay free.
        if done < m and jobs[done] <= skill:
            done += 1
    print(done)


main()
