"""The OpenAI-compatible interface: the assistant at ``/v1/models`` and ``/v1/chat/completions``."""
