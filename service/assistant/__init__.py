"""The assistant as the service runs it: questions, the caller's territory as a source, feedback."""
