"""Facebook Messenger: Meta webhooks (entry[].messaging[]) and the Send API."""
