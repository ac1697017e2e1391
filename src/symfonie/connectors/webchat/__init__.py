"""Web chat: the customer's side of a chat on the tenant's website."""
