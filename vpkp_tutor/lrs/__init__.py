"""Talking to a Learning Record Store over the xAPI HTTP interface (httpx is imported only
when a client is made): `client.LrsClient` posts statement batches with retries and reads
statements page by page; `credentials.load_credentials` finds the key and secret."""
