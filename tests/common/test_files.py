"""common.files in-process: regular files only (a FIFO or a device refused unread, so nothing
blocks), bounded size, strict UTF-8, YAML without aliases, duplicate keys or deep nesting, JSON
likewise and without NaN, ASCII numbers only; every problem names the file and where."""

import os

import pytest

from common import files


def test_a_regular_file_is_read(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("héllo\n")
    assert files.read_text(path) == "héllo\n"
    assert files.read_bytes(path, limit=7) == "héllo\n".encode()


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(files.InputFileError, match="not a regular file") as caught:
        files.read_bytes(fifo)
    assert caught.value.file == str(fifo) and caught.value.where == "file"


@pytest.mark.parametrize("path", ["/dev/zero", "/dev/null", "/"])
def test_devices_and_directories_are_refused(path):
    with pytest.raises(files.InputFileError, match="not a regular file"):
        files.read_bytes(path)


def test_missing_and_too_large(tmp_path):
    with pytest.raises(files.InputFileError, match="cannot read: No such file"):
        files.read_bytes(tmp_path / "none", "shown.yaml")
    big = tmp_path / "big"
    big.write_bytes(b"x" * (2 * 1024 * 1024 + 1))
    with pytest.raises(files.InputFileError, match="larger than 2 MiB"):
        files.read_bytes(big, limit=2 * 1024 * 1024)
    with pytest.raises(files.InputFileError, match="larger than 1 KiB"):
        files.read_bytes(big, limit=1024)


def test_not_utf8_names_the_byte(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"name: caf\xe9\n")
    with pytest.raises(files.InputFileError, match=r"latin1.yaml: file: not UTF-8 \(byte 9\)"):
        files.load_yaml(path)


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("a: &x [1]\nb: *x\n", "YAML aliases (*x) are not allowed"),
        ("a: 1\na: 2\n", "duplicate key 'a'"),
        ("a: " + "[" * 70 + "]" * 70 + "\n", "nested deeper than 64 levels"),
        ("a: [1\n", "not valid YAML"),
        ("? [1]\n: x\n", "a mapping key must be a plain value"),
    ],
)
def test_bounded_yaml(text, fragment):
    with pytest.raises(files.InputFileError) as caught:
        files.parse_yaml(text, "f.yaml")
    assert fragment in caught.value.message and caught.value.file == "f.yaml"


def test_yaml_errors_name_the_line():
    with pytest.raises(files.InputFileError) as caught:
        files.parse_yaml("a: 1\nb: 2\nb: 3\n", "f.yaml")
    assert caught.value.where == "line 3, column 1"


@pytest.mark.parametrize(
    "text,fragment",
    [
        ('{"a": 1, "a": 2}', "duplicate key 'a'"),
        ('{"a": NaN}', "NaN is not a JSON number"),
        ('{"a": Infinity}', "Infinity is not a JSON number"),
        ("[" * 70 + "]" * 70, "nested deeper than 64 levels"),
        ("[" * 100_000 + "]" * 100_000, "nested deeper than 64 levels"),
        ("{", "not valid JSON"),
        ("1" * 5000, "not valid JSON"),  # more digits than Python converts
    ],
)
def test_bounded_json(text, fragment):
    with pytest.raises(files.InputFileError) as caught:
        files.parse_json(text, "f.json")
    assert fragment in caught.value.message


def test_depth_counts_without_recursion():
    deep: list = []
    for _ in range(10_000):
        deep = [deep]
    assert files.depth(deep, limit=64) == 65
    assert files.depth({"a": [1, {"b": 2}]}) == 4


@pytest.mark.parametrize(
    "text,number", [("12", 12.0), ("-0.5", -0.5), (".5", 0.5), ("1e3", 1000.0), (" 7 ", 7.0)]
)
def test_ascii_number(text, number):
    assert files.ascii_number(text) == number


@pytest.mark.parametrize("text", ["1_000", "١٢", "１２", "nan", "inf", "0x1", "1e", "", "−1"])
def test_not_ascii_numbers(text):
    assert files.ascii_number(text) is None


def test_ascii_integer():
    assert files.ascii_integer("-42") == -42
    assert files.ascii_integer("4.0") is None
    assert files.ascii_integer("٤٢") is None
    assert files.ascii_integer("9" * 31) is None  # no 10,000-digit int() either
