"""Server-rendered pages: sign-in, customer search, the customer timeline, merge review."""
