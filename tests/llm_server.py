"""A small OpenAI-compatible chat server for the assistant's tests and benchmark.

Real HTTP on a free loopback port (``http.server`` in a thread), ``POST /v1/chat/completions``
answered with a canned reply, streamed as Server-Sent Events when the client asks for it, the
way OpenAI, vLLM or Ollama do; a request that offers tools may be answered with tool calls
instead (`FakeLLM.tool_calls`), whole or streamed as those servers stream them. Every request
body is kept, so a test can read the prompt the assistant sent.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = Callable[[list[dict[str, Any]]], str]
"""Turns the request's messages into the reply's text."""
ToolCalls = Callable[[dict[str, Any]], list[dict[str, Any]]]
"""Turns a request that offers tools into the calls to make: ``{"name", "arguments"}`` each
(none: answer with text)."""


class FakeLLM:
    """State shared with the handler: the reply to give and the requests received."""

    def __init__(self) -> None:
        self.reply: Reply = lambda messages: "Réponse de test sans source."
        self.tool_calls: ToolCalls = lambda body: []
        self.requests: list[dict[str, Any]] = []
        self.chunk_delay = 0.0
        self.base_url = ""

    def last_prompt(self) -> str:
        """All message texts of the last request, joined."""
        return "\n".join(str(m.get("content", "")) for m in self.requests[-1]["messages"])


def _chunks(text: str) -> list[str]:
    """The reply split as a model streams it: a few characters at a time."""
    words = text.split(" ")
    out: list[str] = []
    for i, word in enumerate(words):
        piece = word if i == 0 else " " + word
        out.extend(piece[j : j + 4] for j in range(0, len(piece), 4))
    return out


def _handler(state: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet in tests
            return

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            if not self.path.endswith("/chat/completions"):
                self.send_error(404)
                return
            state.requests.append(body)
            created = int(time.time())
            calls = state.tool_calls(body) if body.get("tools") else []
            if calls:
                self._tool_calls(calls, body, created)
                return
            text = state.reply(body.get("messages", []))
            if not body.get("stream"):
                payload = json.dumps(
                    {
                        "id": "chatcmpl-test",
                        "object": "chat.completion",
                        "created": created,
                        "model": body.get("model", "test"),
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": text},
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    }
                ).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("cache-control", "no-cache")
            self.send_header("connection", "close")
            self.end_headers()
            # the client may stop reading mid-answer (the assistant's output check)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._stream(text, body, created)
            self.close_connection = True

        def _tool_calls(
            self, calls: list[dict[str, Any]], body: dict[str, Any], created: int
        ) -> None:
            """The calls as a model makes them: whole, or streamed (name first, then the
            arguments in pieces), ending with ``finish_reason: tool_calls``."""
            made: list[dict[str, Any]] = [
                {
                    "id": f"call_{i}",
                    "type": "function",
                    "function": {"name": c["name"], "arguments": json.dumps(c["arguments"])},
                }
                for i, c in enumerate(calls)
            ]
            base = {"id": "chatcmpl-test", "created": created, "model": body.get("model", "test")}
            if not body.get("stream"):
                message = {"role": "assistant", "content": None, "tool_calls": made}
                choice = {"index": 0, "message": message, "finish_reason": "tool_calls"}
                payload = json.dumps(base | {"object": "chat.completion", "choices": [choice]})
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload.encode())))
                self.end_headers()
                self.wfile.write(payload.encode())
                return
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("connection", "close")
            self.end_headers()
            deltas: list[tuple[dict[str, Any], str | None]] = []
            for i, call in enumerate(made):
                head = {"index": i, "id": call["id"], "type": "function"}
                head["function"] = {"name": call["function"]["name"], "arguments": ""}
                deltas.append(({"role": "assistant", "content": None, "tool_calls": [head]}, None))
                arguments = call["function"]["arguments"]
                for j in range(0, len(arguments), 8):
                    piece = {"index": i, "function": {"arguments": arguments[j : j + 8]}}
                    deltas.append(({"tool_calls": [piece]}, None))
            deltas.append(({}, "tool_calls"))
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                for delta, finish in deltas:
                    choice = {"index": 0, "delta": delta, "finish_reason": finish}
                    event = base | {"object": "chat.completion.chunk", "choices": [choice]}
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
            self.close_connection = True

        def _stream(self, text: str, body: dict[str, Any], created: int) -> None:
            for i, piece in enumerate([*_chunks(text), None]):
                delta = {} if piece is None else {"content": piece}
                if i == 0:
                    delta["role"] = "assistant"
                event = {
                    "id": "chatcmpl-test",
                    "object": "chat.completion.chunk",
                    "created": created,
                    "model": body.get("model", "test"),
                    "choices": [
                        {
                            "index": 0,
                            "delta": delta,
                            "finish_reason": "stop" if piece is None else None,
                        }
                    ],
                }
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.flush()
                if state.chunk_delay:
                    time.sleep(state.chunk_delay)
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

    return Handler


@contextmanager
def fake_llm_server() -> Iterator[FakeLLM]:
    """Serve a `FakeLLM` on 127.0.0.1 (free port) for the duration of the block."""
    state = FakeLLM()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
