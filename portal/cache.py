"""The shared cache: Django's Redis backend, holding on to its clients.

Django's RedisCacheClient builds a new `redis.Redis` for every cache call, and
each one copies redis-py's table of response callbacks: on a signed-in request,
which reads the session and the two-factor answer from the cache, that copying
cost more than the two round trips to Redis. A `redis.Redis` over a connection
pool is safe to share between threads, and redis-py's pools reconnect after a
fork, so one client per server serves every call.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        # The server is picked once (a replica at random for a read), and the
        # client kept for it is the one over that server's own pool.
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(
                    self._servers[index], **self._pool_options
                )
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
