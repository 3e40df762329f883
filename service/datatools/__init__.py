"""The data tools: the use cases an AI client calls by name (MCP tools, the assistant's tool
calls, the offline data questions), each with the caller's rights."""
