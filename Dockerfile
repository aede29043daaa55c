# The grading sandbox: a plain Python (>= 3.11), a non-root user and the stdlib-only runner, nothing else.
# Build it with `autodidact sandbox build`, which picks the base (python:3.11-slim when it can be pulled,
# else a Debian base bootstrapped on this machine) and labels the image with a hash of this file and the
# runner so an unchanged image is not rebuilt. Plain `docker build -t autodidact-sandbox:latest .` works too.
ARG BASE=python:3.11-slim
FROM ${BASE}

# The official image keeps python3 in /usr/local/bin, a Debian base in /usr/bin: PATH covers both, and
# the runner is started as `python3 ...` so either base works unchanged.
ENV PATH=/usr/local/bin:/usr/bin:/bin \
    LANG=C.UTF-8 \
    HOME=/tmp \
    PYTHONDONTWRITEBYTECODE=1

# The user is written straight into /etc/passwd so the base needs no useradd. Setuid/setgid bits are
# stripped as a second line of defence behind no-new-privileges.
# python3-grader is an execute-only copy of the interpreter, next to it so it finds the same stdlib. The
# kernel marks a process that runs an unreadable program as non-dumpable, so the graded code, which runs
# as the same user, can neither ptrace the runner nor open its /proc/PID/fd/1 to forge a result.
RUN python3 -c 'import sys; assert sys.version_info >= (3, 11), "the sandbox needs Python >= 3.11: " + sys.version' \
 && echo "sandbox:x:10001:10001:autodidact sandbox:/tmp:/bin/false" >> /etc/passwd \
 && echo "sandbox:x:10001:" >> /etc/group \
 && find / -xdev -type f -perm /6000 -exec chmod a-s {} + \
 && python=$(readlink -f "$(command -v python3)") \
 && cp "$python" "$(dirname "$python")/python3-grader" \
 && chmod 0111 "$(dirname "$python")/python3-grader" \
 && mkdir -p /opt/autodidact

COPY sandbox/runner.py /opt/autodidact/runner.py
RUN chmod 0555 /opt/autodidact && chmod 0444 /opt/autodidact/runner.py

USER sandbox
WORKDIR /tmp
CMD ["python3", "-I", "-S", "/opt/autodidact/runner.py", "init"]
