"""passphrase.from_environment in-process: the pulumi CLI's order (the variable, set even empty,
wins; else the trimmed content of the file; an empty file variable is ignored), and a file that
cannot be used named in the error, never its content."""

import pytest

from common import files
from preflight.program import passphrase

ENV, FILE = passphrase.ENV, passphrase.FILE_ENV


def test_the_order(tmp_path):
    path = tmp_path / "phrase"
    path.write_text("  from the file \n")
    assert passphrase.from_environment({}) is None
    assert passphrase.from_environment({FILE: ""}) is None
    assert passphrase.from_environment({FILE: str(path)}) == "from the file"
    assert passphrase.from_environment({ENV: "", FILE: str(path)}) == ""
    assert passphrase.from_environment({ENV: "variable", FILE: "/missing"}) == "variable"


@pytest.mark.parametrize(
    "data,fragment",
    [(b"caf\xe9", "not UTF-8 (byte 3)"), (b"x" * (passphrase.MAX_FILE_BYTES + 1), "larger than")],
)
def test_a_file_that_cannot_be_used(tmp_path, data, fragment):
    path = tmp_path / "phrase"
    path.write_bytes(data)
    with pytest.raises(files.InputFileError) as caught:
        passphrase.from_environment({FILE: str(path)})
    assert caught.value.file == f"{path} ({FILE})" and fragment in caught.value.message
    assert "caf" not in str(caught.value)


def test_a_missing_file_and_a_non_utf8_variable():
    with pytest.raises(files.InputFileError, match=r"/no/such \(PULUMI_CONFIG_PASSPHRASE_FILE\)"):
        passphrase.from_environment({FILE: "/no/such"})
    with pytest.raises(files.InputFileError, match="the passphrase is not UTF-8 text"):
        passphrase.from_environment({ENV: "caf\udce9"})
    with pytest.raises(passphrase.PassphraseError, match="not UTF-8"):
        passphrase.derive_key("caf\udce9", b"salt")
