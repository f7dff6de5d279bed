"""In-bound inputs that used to take minutes: stack files (under the 8 MiB bound) holding a
300,000-line secret, a 4 MB certificate, a 100,000-line kubeconfig, each as a secure value
decrypted with the passphrase. tests/preflight/test_hardening_large_secrets.py previews them and
checks that nothing leaks; run this file to time them (a bench, not a test: tests never assert
on time):

    .venv/bin/python tests/preflight/large_secrets.py
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from preflight.program import passphrase  # noqa: E402
from tests.support import pki  # noqa: E402

PHRASE = "large secrets passphrase"
SALT = b"large-secrets-16"


def _key() -> bytes:
    return passphrase.derive_key(PHRASE, SALT)


def _secure(key: bytes, value: str, index: int) -> dict:
    return {"secure": passphrase.encrypt(key, value, index.to_bytes(12, "big"))}


def _stack(base: str, config: dict, key: bytes) -> str:
    data = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{base}.yaml").read_text())
    check = passphrase.encrypt(key, "pulumi", b"\0" * 12)
    data["encryptionsalt"] = f"v1:{base64.b64encode(SALT).decode()}:{check}"
    data["config"].update(config)
    return yaml.safe_dump(data, sort_keys=False, width=1 << 30)


def many_lines() -> str:
    """300,000 lines, 5.4 MB: each line a distinct 17-character token."""
    return "\n".join(f"line-{i:06d}-{(i * 7919) % 100000:05d}" for i in range(300_000)) + "\n"


def certificate() -> tuple[str, str]:
    """A real 4 MB certificate (110,000 names) with its CA, and its key."""
    names = ("scoring.ml.contoso.com", *(f"host-{i}.ml.contoso.com" for i in range(110_000)))
    pair = pki.server(names)
    return pair.cert, pair.key


def kubeconfig() -> str:
    """A 100,000-line kubeconfig with credentials."""
    users = "".join(
        f"- name: user-{i}\n  user:\n    token: token-{i:06d}-{(i * 104729) % 1000003:07d}\n"
        for i in range(33_333)
    )
    return (
        "apiVersion: v1\nkind: Config\ncurrent-context: edge\n"
        "clusters:\n- name: edge\n  cluster: {server: 'https://edge.example:6443'}\n"
        "contexts:\n- name: edge\n  context: {cluster: edge, user: user-0}\n"
        f"users:\n{users}"
    )


def write_cases(directory: Path) -> dict[str, tuple[Path, list[str]]]:
    """Each case's stack file and the secret lines that must never be printed."""
    key = _key()
    lines = many_lines()
    cert, cert_key = certificate()
    kube = kubeconfig()
    cases = {
        "300,000-line secret": (
            _stack("dev", {"azure-native:clientSecret": _secure(key, lines, 1)}, key),
            lines,
        ),
        "4 MB certificate": (
            _stack(
                "prod",
                {
                    "azureml-k8s:tls": {"source": "secretConfig"},
                    "azureml-k8s:sslCertPem": _secure(key, cert, 2),
                    "azureml-k8s:sslKeyPem": _secure(key, cert_key, 3),
                },
                key,
            ),
            cert_key,
        ),
        "100,000-line kubeconfig": (
            _stack("edge", {"azureml-k8s:kubeconfig": _secure(key, kube, 4)}, key),
            kube,
        ),
    }
    written = {}
    for index, (name, (text, secret)) in enumerate(cases.items()):
        path = directory / f"Pulumi.large{index}.yaml"
        path.write_text(text)
        watched = [line.strip() for line in secret.splitlines() if len(line.strip()) >= 16]
        written[name] = (path, watched)
    return written


def preview(path: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PULUMI_CONFIG_PASSPHRASE=PHRASE)
    env.pop("PULUMI_CONFIG_PASSPHRASE_FILE", None)
    return subprocess.run(
        [sys.executable, "-m", "preflight", "preview", "--config", str(path), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def main() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for name, (path, _watched) in write_cases(Path(tmp)).items():
            size = path.stat().st_size / 1e6
            for fmt in ("text", "json"):
                started = time.perf_counter()
                result = preview(path, "--format", fmt)
                took = time.perf_counter() - started
                print(
                    f"{name} ({size:.1f} MB stack), {fmt}: exit {result.returncode}, {took:.1f} s"
                )


if __name__ == "__main__":
    main()
