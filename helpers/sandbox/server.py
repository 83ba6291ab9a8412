"""`python -m helpers.sandbox.server`: the sandbox as a moto server, for the endpoint backend."""

import argparse
import threading

from helpers.sandbox import start_server

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Serve the sandbox as a moto server.")
    parser.add_argument("--port", type=int, default=5000, help="0 picks a free port")
    port = parser.parse_args().port
    try:
        server, url = start_server(port)
    except OSError as error:
        parser.exit(1, f"{error} With make: make sandbox-server SANDBOX_PORT={port + 1}\n")
    print(f"Sandbox server on {url}. Use it with: export AWS_ENDPOINT_URL={url} "
          "AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()
