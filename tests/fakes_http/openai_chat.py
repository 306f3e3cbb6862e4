"""A fake OpenAI-compatible chat-completions server for the LLM writer tests.

Queue what it answers with `then(...)`: a string is sent as the assistant's content, a `Reply`
as is (a 429, a hang past the client's timeout). When the queue is empty it repeats the last.
Every request body is kept in `requests`.
"""

from __future__ import annotations

import threading
from typing import Any

from tests.fakes_http.server import Reply, Request


def completion(content: str, model: str = "fake-writer-1") -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": model,
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content}}],
    }  # fmt: skip


class FakeChat:
    def __init__(self) -> None:
        self.answers: list[str | Reply] = []
        self.requests: list[dict[str, Any]] = []
        self.auth: list[str] = []
        self._lock = threading.Lock()

    def then(self, *answers: str | Reply) -> FakeChat:
        self.answers.extend(answers)
        return self

    def handle(self, request: Request) -> Reply:
        if request.method != "POST" or request.path != "/v1/chat/completions":
            return Reply(404, {"error": {"message": "not found"}})
        with self._lock:
            self.requests.append(request.json())
            self.auth.append(request.headers.get("authorization", ""))
            answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return answer if isinstance(answer, Reply) else Reply(200, completion(answer))
