"""CommonMark with GitHub's tables, by cmark-gfm (C), without cmarkgfm's memory leak.

cmarkgfm's `markdown_to_html_with_extensions` never frees the parsed document nor the
HTML string it returns: about 20 KB a call, 200 MB over a 10,000-episode build. Its
cffi module does not offer the two functions that free them, but its shared library
exports them; they are called here through ctypes. Where that library cannot be opened
so (another build of cmarkgfm), cmarkgfm's own function is used, leak and all.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Any

import cmarkgfm
from cmarkgfm import _cmark
from cmarkgfm.cmark import Options

_lib: Any = _cmark.lib
_ffi: Any = _cmark.ffi
OPTIONS = Options.CMARK_OPT_UNSAFE  # raw HTML is kept here and sanitised afterwards
EXTENSIONS = ("table",)


def _frees() -> tuple[Callable[[int], None], Callable[[int], None]] | None:
    """cmark_node_free and the C library's free, or None where they cannot be found."""
    try:
        library = ctypes.CDLL(_cmark.__file__)
        node_free, free = library.cmark_node_free, ctypes.CDLL(None).free
    except (OSError, AttributeError):
        return None
    node_free.argtypes = free.argtypes = [ctypes.c_void_p]
    node_free.restype = free.restype = None
    return node_free, free


_FREES = _frees()


def _address(pointer: Any) -> int:
    return int(_ffi.cast("uintptr_t", pointer))


def to_html(markdown: str) -> str:
    """The Markdown as HTML (raw HTML kept; sanitise it)."""
    if _FREES is None:
        html: str = cmarkgfm.markdown_to_html_with_extensions(
            markdown, options=OPTIONS, extensions=list(EXTENSIONS)
        )
        return html
    node_free, free = _FREES
    _lib.cmark_gfm_core_extensions_ensure_registered()
    parser = _lib.cmark_parser_new(OPTIONS)
    try:
        for name in EXTENSIONS:
            _lib.cmark_parser_attach_syntax_extension(
                parser, _lib.cmark_find_syntax_extension(name.encode())
            )
        data = markdown.encode("utf-8")
        _lib.cmark_parser_feed(parser, data, len(data))
        root = _lib.cmark_parser_finish(parser)
        try:
            extensions = _lib.cmark_parser_get_syntax_extensions(parser)
            result = _lib.cmark_render_html(root, OPTIONS, extensions)
            try:
                return bytes(_ffi.string(result)).decode("utf-8")
            finally:
                free(_address(result))
        finally:
            node_free(_address(root))
    finally:
        _lib.cmark_parser_free(parser)
