r"""The lines of a CSV file, read a chunk at a time, decoded and numbered, for ``csv.reader``.

Why not ``for line in file``: a file may be one 50 MB line (refused here after its first
megabyte, never held whole) or millions of blank lines (skipped a chunk at a time with one
character-class match, instead of handing each to the CSV parser). Lines end with \n, \r\n or
a lone \r, as ``csv`` counts them, so the line numbers in messages are the editor's.
"""
from __future__ import annotations

import codecs
import re
from typing import Callable, Iterator

CHUNK = 2 ** 20
MAX_LINE_BYTES = 2 ** 20

_EOL = re.compile(rb"\r\n|\r|\n")
_WHITE = re.compile(rb"[ \t\r\n]*")
_SPACES = re.compile(rb"[ \t\r]*")


class CSVLines:
    """The file's lines, decoded, for ``csv.reader``; numbers the physical lines.

    The reader sets ``at_boundary`` before asking for a record. Once ``skip_blank`` is set
    (after the header), runs of blank lines at a record boundary are skipped without handing
    them out, and the first such line is remembered (blank lines are fine only at the end).
    """

    def __init__(self, read: Callable[[int], bytes], fail,
                 progress: Callable[[int], None] | None = None):
        self._read, self._fail, self._progress = read, fail, progress
        self._buf, self._pos, self._eof = b"", 0, False
        self.bytes_read = 0
        self.line = 0  # physical lines handed out or skipped so far
        self.record_start = 1
        self.at_boundary = True
        self.skip_blank = False
        self.first_blank: int | None = None

    def _refill(self) -> None:
        chunk = self._read(CHUNK)
        self._eof = not chunk
        self._buf = self._buf[self._pos:] + chunk
        self._pos = 0
        self.bytes_read += len(chunk)
        if b"\x00" in chunk:  # checked a chunk at a time (memchr), before any line is parsed
            buf, end = self._buf, self._buf.index(b"\x00")
            line = self.line + 1 + buf.count(b"\n", 0, end) + buf.count(b"\r", 0, end) \
                - buf.count(b"\r\n", 0, end)
            self._fail("contains NUL bytes; this looks like a binary file, not CSV text", line)
        if self._progress is not None and chunk:
            self._progress(self.bytes_read)

    def _too_long(self) -> None:
        self._fail(f"longer than {MAX_LINE_BYTES // 2 ** 20} MB (is this a CSV file?)",
                   self.line + 1)

    def _skip_blank_lines(self) -> None:
        buf = self._buf
        if self._pos < len(buf) and buf[self._pos] not in b" \t\r\n":
            return  # the usual case: the next line starts with data
        while True:
            # White space up to the last line end in it: one character-class match and two
            # searches, all at C speed (a repeated group would keep state per line).
            end = _WHITE.match(buf, self._pos).end()
            end = max(buf.rfind(b"\n", self._pos, end), buf.rfind(b"\r", self._pos, end)) + 1
            end = max(end, self._pos)
            if end == len(buf) and end > self._pos and not self._eof and buf[end - 1] == 13:
                end -= 1  # "\r" last in the chunk may be half of "\r\n": decide after reading on
            if end > self._pos:
                pos = self._pos
                count = buf.count(b"\n", pos, end) + buf.count(b"\r", pos, end) \
                    - buf.count(b"\r\n", pos, end)
                if count:
                    if self.first_blank is None:
                        self.first_blank = self.line + 1
                    self.line += count
                    self._pos = end
            # Go on reading only while what is left could still be a blank line.
            if self._eof or _SPACES.match(buf, self._pos).end() < len(buf) \
                    or len(buf) - self._pos > MAX_LINE_BYTES:
                return
            self._refill()
            buf = self._buf

    def _next_line(self) -> bytes | None:
        while True:
            buf, pos = self._buf, self._pos
            m = _EOL.search(buf, pos)
            if m is not None and (m.end() < len(buf) or self._eof or buf[m.end() - 1] != 13):
                if m.start() - pos > MAX_LINE_BYTES:
                    self._too_long()
                self._pos = m.end()
                return buf[pos:m.end()]
            if len(buf) - pos > MAX_LINE_BYTES:
                self._too_long()
            if self._eof:
                if pos >= len(buf):
                    return None
                self._pos = len(buf)
                return buf[pos:]
            self._refill()

    def __iter__(self) -> Iterator[str]:
        first = True
        while True:
            if self.skip_blank and self.at_boundary:
                self._skip_blank_lines()
            raw = self._next_line()
            if raw is None:
                return
            self.line += 1
            if self.at_boundary:
                self.record_start, self.at_boundary = self.line, False
            if first:
                raw, first = raw.removeprefix(codecs.BOM_UTF8), False
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as e:
                self._fail(f"not UTF-8 text (byte 0x{raw[e.start]:02x})", self.line)
