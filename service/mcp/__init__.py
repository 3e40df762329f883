"""The MCP interface: the data tools and the assistant for AI clients, at ``/mcp``."""
