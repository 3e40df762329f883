"""Where each key of a TOML document was written: a line for every key and array element.

`tomllib` gives the data without positions; this scanner of the TOML syntax records them, so
that errors about a model or mapping file can give the line to look at."""

from __future__ import annotations

import tomllib

__all__ = ["Path", "key_lines"]

Path = tuple[str | int, ...]
"""Where a value sits in the document: table keys and array indices."""


def key_lines(text: str) -> dict[Path, int]:
    """The line of every key, table and array element of the valid TOML document `text`."""
    return _Locator(text).run()


class _Locator:
    """A scanner of TOML syntax that only records the line of every key and array element.

    It relies on the document being valid (tomllib parsed it first)."""

    def __init__(self, text: str) -> None:
        self.text, self.pos, self.lineno = text, 0, 1
        self.lines: dict[Path, int] = {}
        self.arrays: dict[Path, int] = {}  # array-of-tables path → elements so far

    def run(self) -> dict[Path, int]:
        table: Path = ()
        while self._skip(newlines=True):
            if self.text.startswith("[[", self.pos):
                self.pos += 2
                keys = self._key()
                self._expect("]]")
                parent = self._resolve(keys[:-1])
                at = (*parent, keys[-1])
                index = self.arrays.get(at, 0)
                self.arrays[at] = index + 1
                table = (*at, index)
                self.lines.setdefault(at, self.lineno)
                self.lines[table] = self.lineno
            elif self.text.startswith("[", self.pos):
                self.pos += 1
                table = self._resolve(self._key())
                self._expect("]")
                self.lines.setdefault(table, self.lineno)
            else:
                self._pair(table)
        return self.lines

    def _resolve(self, keys: list[str]) -> Path:
        """The path of dotted header `keys`, an array of tables standing for its last element."""
        path: Path = ()
        for key in keys:
            path = (*path, key)
            if path in self.arrays:
                path = (*path, self.arrays[path] - 1)
        return path

    def _pair(self, table: Path) -> None:
        line = self.lineno
        path = (*table, *self._key())
        for cut in range(len(table) + 1, len(path) + 1):
            self.lines.setdefault(path[:cut], line)
        self.lines[path] = line
        self._skip(newlines=False)
        self._expect("=")
        self._skip(newlines=False)
        self._value(path)

    def _value(self, path: Path) -> None:
        text = self.text
        for quote in ('"""', "'''"):
            if text.startswith(quote, self.pos):
                self._string(quote)
                return
        char = text[self.pos]
        if char in "\"'":
            self._string(char)
        elif char == "[":
            self.pos += 1
            index = 0
            while self._skip(newlines=True) and text[self.pos] != "]":
                self.lines[(*path, index)] = self.lineno
                self._value((*path, index))
                index += 1
                self._skip(newlines=True)
                if text[self.pos] == ",":
                    self.pos += 1
            self.pos += 1
        elif char == "{":
            self.pos += 1
            while self._skip(newlines=False) and text[self.pos] != "}":
                self._pair(path)
                self._skip(newlines=False)
                if text[self.pos] == ",":
                    self.pos += 1
            self.pos += 1
        else:  # number, boolean, date: up to the next separator
            while self.pos < len(text) and text[self.pos] not in ",]}#\n":
                self.pos += 1

    def _string(self, quote: str) -> None:
        text, self.pos = self.text, self.pos + len(quote)
        while not text.startswith(quote, self.pos):
            if text[self.pos] == "\\" and quote[0] == '"':
                self.pos += 1
            self._advance()
        self.pos += len(quote)
        # a multi-line string may end with up to two more quote characters
        while len(quote) == 3 and self.pos < len(text) and text[self.pos] == quote[0]:
            self.pos += 1

    def _key(self) -> list[str]:
        keys: list[str] = []
        while True:
            self._skip(newlines=False)
            char = self.text[self.pos]
            if char in "\"'":
                start = self.pos
                self._string(char)
                keys.append(tomllib.loads(f"k = {self.text[start : self.pos]}")["k"])
            else:
                start = self.pos
                while self.text[self.pos].isalnum() or self.text[self.pos] in "_-":
                    self.pos += 1
                keys.append(self.text[start : self.pos])
            self._skip(newlines=False)
            if self.text[self.pos] != ".":
                return keys
            self.pos += 1

    def _expect(self, token: str) -> None:
        self._skip(newlines=False)
        self.pos += len(token)

    def _advance(self) -> None:
        if self.text[self.pos] == "\n":
            self.lineno += 1
        self.pos += 1

    def _skip(self, *, newlines: bool) -> bool:
        """Skip blanks and comments (and line ends when `newlines`); False at the end."""
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char == "#":
                while self.pos < len(text) and text[self.pos] != "\n":
                    self.pos += 1
            elif char in " \t\r" or (newlines and char == "\n"):
                self._advance()
            else:
                return True
        return False
