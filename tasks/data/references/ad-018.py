import sys


def main():
    data = sys.stdin.read().split()
    n = int(data[0])
    players = [(-int(data[3 * i + 2]), int(data[3 * i + 3]), data[3 * i + 1]) for i in range(n)]
    players.sort()
    sys.stdout.write("\n".join(name for _, _, name in players) + "\n")


main()
