"""Live updates over WebSocket (Django Channels): events fan out to the tenant's group."""
