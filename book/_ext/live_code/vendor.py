"""Fetch what live code loads into the site: Thebe's prebuilt bundle and require.js.

Usage: ``python book/_ext/live_code/vendor.py <folder>`` (the Makefile runs it into
``_build/vendor``); the folder then holds ``thebe/``, which the extension copies to
``_static/thebe/``.

Both come from the npm registry, pinned by version and checked against a sha512 written
here. ``npm pack`` fetches only a package's tarball: ``npm install thebe`` would also
install the JupyterLab packages its bundle was built from, hundreds of megabytes that
the bundle already contains. require.js is here because thebe-core fetches it from
cdnjs.cloudflare.com (with no option to change that) the first time a widget is shown;
``live-code.js`` answers that request with this copy, so widgets work with a kernel on
the reader's own machine and no internet.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# package spec -> (sha512 of the tarball as in the registry's "integrity", {member pattern: name in thebe/})
PACKAGES = {
    "thebe@0.9.3": (
        "Rb/7kVhtlffXra3kIe7OuIGE7awsm2/fGWxw21DiNfnWLnUQiDl9AWqYdshPwZPG/5DzLpsJRPix2xtCPtJmQQ==",
        # The bundle, its lazily loaded chunks, its stylesheet and the licences of what
        # it bundles; not the source maps (12 MB).
        {"package/lib/*.js": "", "package/lib/*.css": "", "package/lib/*.LICENSE.txt": ""},
    ),
    "requirejs@2.3.6": (
        "ipEzlWQe6RK3jkzikgCupiTbTvm4S0/CAU5GlgptkN5SO6F3u0UD0K18wy6ErDqiCyP4J4YYe1HuAShvsxePLg==",
        {"package/require.js": "require.js"},
    ),
}


def fetch(spec: str, sha512: str, workdir: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm is missing: live code needs Node.js and npm to fetch Thebe from the npm registry")
    name = subprocess.run(
        [npm, "pack", "--silent", spec], cwd=workdir, check=True, capture_output=True, text=True
    ).stdout.split()[-1]
    tarball = workdir / name
    digest = base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if digest != sha512:
        sys.exit(f"{spec}: the tarball's sha512 is {digest}, expected {sha512}")
    return tarball


def unpack(tarball: Path, members: dict[str, str], target: Path) -> None:
    with tarfile.open(tarball) as archive:
        for member in archive.getmembers():
            for pattern, name in members.items():
                if member.isfile() and fnmatch.fnmatch(member.name, pattern):
                    (target / (name or Path(member.name).name)).write_bytes(archive.extractfile(member).read())


def main(folder: str) -> None:
    target = Path(folder, "thebe")
    with tempfile.TemporaryDirectory() as workdir:
        # Unpacked aside and moved in whole: a failed run leaves no half folder behind.
        staging = Path(workdir, "thebe")
        staging.mkdir()
        for spec, (sha512, members) in PACKAGES.items():
            unpack(fetch(spec, sha512, Path(workdir)), members, staging)
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(staging, target)
    print(f"vendored {', '.join(PACKAGES)} into {target}")


if __name__ == "__main__":
    main(*sys.argv[1:])
