"""Builds the sandbox image from the repository's Dockerfile and the grading runner.

The base is python:3.11-slim when the engine can pull it. Without a registry (an offline machine), a
Debian base is bootstrapped locally with debootstrap from the mirror in this machine's apt sources and
imported as autodidact-base:bookworm; the same Dockerfile is then built on top of it.

The image carries a label with a hash of the Dockerfile and the runner: when the image exists and the hash
matches, `ensure_image` returns at once, so it is cheap to call before every run.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Callable

from sandbox.config import IMAGE_NAME, LABEL
from sandbox.pool import SandboxUnavailable, connect

DEFAULT_BASE = "python:3.11-slim"
LOCAL_BASE = "autodidact-base:bookworm"
HASH_LABEL = LABEL + ".hash"
BASE_LABEL = LABEL + ".base"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
APT_SOURCES = (Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list"))

Log = Callable[[str], None]


def dockerfile_path() -> Path:
    path = Path(__file__).resolve().parent.parent / "Dockerfile"
    if not path.is_file():
        raise SandboxUnavailable(
            f"the sandbox Dockerfile is missing ({path}): build the image from a checkout of the repository "
            "(pip install -e .)"
        )
    return path


def runner_path() -> Path:
    path = Path(__file__).resolve().parent / "runner.py"
    if not path.is_file():
        raise SandboxUnavailable(f"the grading runner is missing ({path}): reinstall autodidact")
    return path


def source_hash() -> str:
    """Hash of everything that goes into the image besides the base."""
    digest = hashlib.sha256()
    for path in (dockerfile_path(), runner_path()):
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def image_state(client, image: str = IMAGE_NAME) -> str:
    """'ready' (exists and matches the sources), 'stale' (exists, built from other sources) or 'missing'."""
    import docker.errors

    try:
        labels = client.images.get(image).labels or {}
    except docker.errors.ImageNotFound:
        return "missing"
    return "ready" if labels.get(HASH_LABEL) == source_hash() else "stale"


def ensure_image(image: str = IMAGE_NAME, *, base: str | None = None, force: bool = False,
                 log: Log = print) -> str:
    """Build the sandbox image unless an up-to-date one exists; return its id.

    `base` forces a base image (it must exist locally or be pullable); by default the official Python
    image is tried and a local Debian base is bootstrapped when it cannot be pulled.
    """
    client = connect()
    if not force and image_state(client, image) == "ready":
        current = client.images.get(image)
        if base is None or (current.labels or {}).get(BASE_LABEL) == base:
            log(f"{image} is up to date ({current.short_id})")
            return current.id
    chosen = base if base is not None else default_base(client, log)
    if base is not None and not have_image(client, base) and not pull(client, base, log):
        raise SandboxUnavailable(f"base image {base!r} is neither present nor pullable: "
                                 "pull or build it first, or omit --base")
    return build(client, image, chosen, log)


def have_image(client, name: str) -> bool:
    import docker.errors

    try:
        client.images.get(name)
        return True
    except docker.errors.ImageNotFound:
        return False


def pull(client, name: str, log: Log) -> bool:
    import docker.errors

    log(f"pulling {name}")
    try:
        client.images.pull(name)
        return True
    except docker.errors.APIError as e:
        log(f"cannot pull {name}: {str(e.explanation or e).splitlines()[0]}")
        return False


def default_base(client, log: Log) -> str:
    """The official Python image when present or pullable, else the locally bootstrapped Debian base."""
    for name in (DEFAULT_BASE, LOCAL_BASE):
        if have_image(client, name):
            return name
    if pull(client, DEFAULT_BASE, log):
        return DEFAULT_BASE
    bootstrap_base(client, LOCAL_BASE, log)
    return LOCAL_BASE


def debian_mirror(sources: tuple[Path, ...] = APT_SOURCES) -> str:
    """The Debian archive this machine's apt uses (deb822 or one-line format), else deb.debian.org."""
    for path in sources:
        try:
            text = path.read_text()
        except OSError:
            continue
        for uri in re.findall(r"^URIs:\s*(\S+)", text, flags=re.M) + re.findall(
                r"^deb\s+(?:\[[^\]]*\]\s+)?(\S+)", text, flags=re.M):
            # The security archive only carries updates; debootstrap needs the main archive.
            if "security" not in uri:
                return uri.rstrip("/")
    return DEFAULT_MIRROR


def bootstrap_base(client, name: str, log: Log, suite: str = "bookworm") -> None:
    """debootstrap a minimal Debian with python3 and import it into the engine as `name`."""
    # /usr/sbin is not on every root PATH (a non-login shell, CI), and debootstrap lives there.
    debootstrap = shutil.which("debootstrap") or shutil.which("debootstrap", path="/usr/sbin:/sbin")
    if debootstrap is None:
        raise SandboxUnavailable(
            f"no base image: {DEFAULT_BASE} cannot be pulled and debootstrap is not installed; run "
            "`bash scripts/setup.sh` (as root on Debian it installs it), or `apt-get install debootstrap`, "
            "or pass --base IMAGE with a local Python >= 3.11 image"
        )
    mirror = debian_mirror()
    root = Path(tempfile.mkdtemp(prefix="autodidact-base-", dir="/var/tmp"))
    try:
        log(f"bootstrapping a Debian {suite} base with python3 from {mirror} (about a minute)")
        started = time.monotonic()
        done = subprocess.run(
            [debootstrap, "--variant=minbase", "--include=python3", suite, str(root), mirror],
            capture_output=True, text=True,
        )
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-5:])
            raise SandboxUnavailable(f"debootstrap failed:\n{tail}\nCheck the mirror {mirror} is reachable "
                                     "and that this runs as root, or pass --base IMAGE")
        log(f"bootstrapped in {time.monotonic() - started:.0f} s; importing it as {name}")
        # Apt caches and logs are not needed in a grading image.
        for junk in ("var/cache/apt/archives", "var/lib/apt/lists", "var/log"):
            shutil.rmtree(root / junk, ignore_errors=True)
        tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
        try:
            client.api.import_image_from_stream(tar.stdout, repository=name.split(":")[0],
                                                tag=name.split(":")[1] if ":" in name else "latest")
        finally:
            tar.stdout.close()
            if tar.wait() != 0:
                raise SandboxUnavailable(f"tar of {root} failed; run `autodidact sandbox build` again")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    log(f"imported {name}")


def build_context() -> bytes:
    """A tar holding the Dockerfile and the runner at the paths the Dockerfile expects."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        tar.add(str(dockerfile_path()), arcname="Dockerfile")
        tar.add(str(runner_path()), arcname="sandbox/runner.py")
    return buffer.getvalue()


def build(client, image: str, base: str, log: Log) -> str:
    import docker.errors

    log(f"building {image} on {base}")
    started = time.monotonic()
    stream = client.api.build(
        fileobj=io.BytesIO(build_context()), custom_context=True, tag=image, buildargs={"BASE": base},
        labels={HASH_LABEL: source_hash(), BASE_LABEL: base}, rm=True, forcerm=True, pull=False,
        decode=True,
    )
    try:
        for chunk in stream:
            if "error" in chunk:
                raise SandboxUnavailable(f"building {image} failed: {chunk['error'].strip()}; fix the "
                                         "Dockerfile or pass another --base")
            line = chunk.get("stream", "").rstrip()
            if line.startswith("Step "):
                log("  " + line)
    except docker.errors.APIError as e:
        raise SandboxUnavailable(f"building {image} failed: {e}; check `docker info`") from e
    built = client.images.get(image)
    log(f"built {image} ({built.short_id}) in {time.monotonic() - started:.1f} s")
    return built.id
