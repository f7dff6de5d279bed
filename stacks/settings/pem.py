"""The PEM pair named by the extension's protected file settings, read as the az CLI reads it.

Files are read relative to the project directory (where pulumi runs), bounded in size and only
when they are regular files, so a path such as /dev/zero cannot hang or exhaust the program.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from stacks.settings.errors import Problem
from stacks.settings.stack import Settings

# A certificate chain is a few KiB; anything this large is not a PEM file.
MAX_PEM_BYTES = 1 << 20
_FIELDS = (("sslCertPemFile", "sslCertPem"), ("sslKeyPemFile", "sslKeyPem"))


def _read(path: Path) -> str:
    if not path.is_file():
        raise ValueError("not a regular file")
    with path.open("rb") as handle:
        data = handle.read(MAX_PEM_BYTES + 1)
    if len(data) > MAX_PEM_BYTES:
        raise ValueError(f"larger than {MAX_PEM_BYTES} bytes")
    return data.decode("ascii")


def with_pem_files(settings: Settings, project_dir: Path) -> tuple[Settings, list[Problem]]:
    """The settings with the PEM files' contents in sslCertPem / sslKeyPem, and any problem
    reading them; keys protected by a passphrase are refused (azureml-fe does not support them)."""
    extension = settings.extension
    problems: list[Problem] = []
    update: dict[str, SecretStr] = {}
    for path_key, field in _FIELDS:
        path = getattr(extension, path_key)
        if not path:
            continue
        try:
            update[field] = SecretStr(_read(project_dir / path))
        except (OSError, UnicodeDecodeError, ValueError) as err:
            reason = err.__class__.__name__ if isinstance(err, OSError) else str(err)
            if isinstance(err, UnicodeDecodeError):
                reason = "not ASCII text"
            problems.append(
                (
                    ("extension", path_key),
                    f"cannot read PEM file '{path}' (relative to the project directory, where "
                    f"pulumi runs): {reason}",
                )
            )
    key = update.get("sslKeyPem") or settings.sslKeyPem
    if key is not None and "ENCRYPTED" in key.get_secret_value():
        where = ("extension", "sslKeyPemFile") if "sslKeyPem" in update else ("sslKeyPem",)
        problems.append(
            (
                where,
                "the private key is protected by a passphrase, which azureml-fe does not "
                "support: export it without one (openssl pkey -in key.pem -out plain.pem)",
            )
        )
    return settings.model_copy(update=update), problems
