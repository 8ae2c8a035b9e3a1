"""Runs moto_server with every DynamoDB operation atomic, as real DynamoDB makes each item write.

moto 5.2.1 serves requests on threads and its DynamoDB backend takes no lock: two concurrent
UpdateItem calls with list_append (or two conditional PutItem calls) on one item can both read the
old item, and one write is lost. Real DynamoDB serializes writes per item, and Klaxon's storm
grouping and delivery claims rely on that, so the emulator must too or the fault-injection tests
fail at random under load. Same arguments as moto_server; exits 127 when moto is not installed.
"""

import sys
import threading

try:
    from moto.dynamodb.models import DynamoDBBackend
    from moto.server import main
except ImportError as error:  # the caller turns 127 into "moto_server not found"
    print(f"moto is not importable from {sys.executable}: {error}", file=sys.stderr)
    sys.exit(127)

_LOCK = threading.RLock()


def _serialized(method):
    def wrapper(*args, **kwargs):
        with _LOCK:
            return method(*args, **kwargs)

    wrapper.__name__ = method.__name__
    wrapper.__doc__ = method.__doc__
    return wrapper


for _name, _member in list(vars(DynamoDBBackend).items()):
    if callable(_member) and not _name.startswith("_"):
        setattr(DynamoDBBackend, _name, _serialized(_member))

if __name__ == "__main__":
    main(sys.argv[1:])
