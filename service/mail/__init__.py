"""E-mail: the outbox that logs every send, the messages (invitations, reminders, campaign
notices, password resets), the SMTP sender, the job queue that delivers them with retries and
backoff (SAQ on Redis, or in the process), the reminder schedule and the opt-out.

A request never talks to the mail server: it writes messages to the outbox, and the queue
sends them once the request's transaction is committed."""
