"""Hypha's load-balancing example, in Python, against a Mycel hub.

Three TaskProcessor workers ("fast" 0.2, "medium" 0.5, "slow" 0.8) register the same service,
`task-processor`; a client asks the hub for the least loaded one with `select:min:get_load`.
This is the "Complete Example" of Hypha's service-load-balancing guide, with one change: the
workers stay connected while the client works (a service leaves the hub with its worker).

Run from the repository root (after `npx -y pnpm@10 install`):

    PYTHONPATH=../shared/pyclient/site python3 examples/python/load_balancing.py

It uses the hub at MYCEL_SERVER_URL, or starts one on a free port when that is not set.
"""
import asyncio
import contextlib
import os
import re
import subprocess
import sys
import threading

from hypha_rpc import connect_to_server

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class TaskProcessor:
    def __init__(self, name, base_load):
        self.name = name
        self.load = base_load

    async def get_load(self):
        return self.load  # Must return float/int

    async def process(self, task):
        return f"Task '{task}' processed by {self.name}"


async def register_worker(server_url, instance, index):
    """Connects one worker and registers its TaskProcessor; returns the open connection."""
    api = await connect_to_server({"server_url": server_url, "name": f"worker-{index}"})
    await api.register_service(
        {"id": "task-processor", "get_load": instance.get_load, "process": instance.process}
    )
    return api


async def main(server_url):
    instances = [
        TaskProcessor("fast", 0.2),
        TaskProcessor("medium", 0.5),
        TaskProcessor("slow", 0.8),
    ]
    workers = await asyncio.gather(
        *(register_worker(server_url, instance, i) for i, instance in enumerate(instances))
    )
    try:
        async with connect_to_server({"server_url": server_url, "name": "client"}) as client:
            # Always select the least loaded instance
            service = await client.get_service("task-processor", mode="select:min:get_load")
            result = await service.process("important-task")
            print(result)  # Will use "fast" instance (load=0.2)
    finally:
        for api in workers:
            await api.disconnect()


@contextlib.contextmanager
def hub_url():
    """The hub to use: MYCEL_SERVER_URL, or a hub started here on a free port."""
    if os.environ.get("MYCEL_SERVER_URL"):
        yield os.environ["MYCEL_SERVER_URL"]
        return
    cli = os.path.join(ROOT, "packages", "server", "dist", "cli.js")
    hub = subprocess.Popen(
        ["node", cli, "--port", "0", "--log-level", "info"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        for line in hub.stdout:
            if "hub listening" in line:
                # The log line is JSON with the address, e.g. "url":"http://127.0.0.1:40123"
                match = re.search(r'"url":"([^"]+)"', line)
                if match:
                    break
        else:
            sys.exit("the hub exited before it listened")
        # Keep reading the hub's log, so that a full pipe never stalls it.
        threading.Thread(target=hub.stdout.read, daemon=True).start()
        yield match.group(1)
    finally:
        hub.terminate()
        hub.wait()


if __name__ == "__main__":
    with hub_url() as url:
        asyncio.run(main(url))
