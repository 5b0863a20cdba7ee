#!/usr/bin/env python3
"""A misbehaving Kafka "broker" on loopback, for robustness tests of kpw.

It speaks just enough of the protocol to lead a client to the interesting
point (API version negotiation, one Metadata answer naming itself as the
leader of topic "t" partition 0, Produce), then misbehaves as --mode says:

  ok                 a well-behaved peer: acks every Produce (the control case)
  garbage            Produce: random bytes (seeded) instead of a response
  garbage-framed     Produce: a valid size prefix and correlation id, random body
  truncated          Produce: valid size prefix, half of the frame, then FIN
  huge-frame         Produce: size prefix 0x7fffffff and a little data
  big-frame          Produce: a frame just under the client's 100 MiB limit
                     (--frame-mib, default 96): correlation id, then zeros
  wrong-correlation  Produce: a valid response with another correlation id
  unsolicited        once Metadata was served: every new connection gets a
                     response frame before it sent anything
  unsolicited-extra  Produce: a valid ack followed by an extra, unasked frame
  trickle            Produce: a valid ack, one byte per second, forever
  silent             Produce: read, never answer
  no-leader          Metadata: t-0 has no leader (LEADER_NOT_AVAILABLE, leader -1),
                     as during a leader election; Produce is never reached
  unknown-leader     Metadata: t-0's leader is node 2, absent from the brokers
  dead-leader        Metadata: t-0's leader is node 1 at a closed port of
                     127.0.0.1 (connection refused); Produce is never reached
  not-leader         Produce: a well-formed answer with NOT_LEADER_OR_FOLLOWER
                     (a retriable error) for every partition, every time
  close-mid-response Produce: the first bytes of a response, then RST
  tls-port           first bytes of every connection: a TLS alert record, as a
                     TLS listener answers a plaintext client
  tls-stall          accepts and reads, never writes a byte: to a TLS client
                     (security.protocol=SSL) a handshake that never finishes
  never-accept-apiversions  every ApiVersions request: never answered
  negative-array     Metadata: an array count of --count (default -5) at --where
  huge-array         Metadata: an array count of --count (default 1e9) at --where

Every Produce request is logged on stderr as a line starting "PRODUCE", every
connection as "CONNECT"; the test counts them. Stdlib only. The port goes to
--port-file once listening (written atomically). The process ends when its
stdin closes (the test died), after --max-seconds, or on SIGTERM/SIGKILL.
"""

import argparse
import asyncio
import os
import random
import socket
import struct
import sys
import threading
import time

API_PRODUCE = 0
API_METADATA = 3
API_VERSIONS = 18

LEADER_NOT_AVAILABLE = 5
NOT_LEADER_OR_FOLLOWER = 6
UNSUPPORTED_VERSION = 35

MODES = [
    "ok", "garbage", "garbage-framed", "truncated", "huge-frame", "big-frame", "wrong-correlation",
    "unsolicited", "unsolicited-extra", "trickle", "silent", "close-mid-response",
    "tls-port", "never-accept-apiversions", "negative-array", "huge-array", "not-leader",
    "no-leader", "unknown-leader", "dead-leader", "tls-stall",
]


def log(msg):
    sys.stderr.write("%.3f %s\n" % (time.monotonic(), msg))
    sys.stderr.flush()


# ---------------------------------------------------------------- encoding

def i8(v):
    return struct.pack(">b", v)


def i16(v):
    return struct.pack(">h", v)


def i32(v):
    return struct.pack(">i", v)


def i64(v):
    return struct.pack(">q", v)


def string(s):
    b = s.encode()
    return i16(len(b)) + b


def nullable_string(s):
    return i16(-1) if s is None else string(s)


def array(items, count=None):
    return i32(len(items) if count is None else count) + b"".join(items)


def frame(correlation_id, body):
    """Response header v0 (correlation id only) and the int32 size prefix."""
    payload = i32(correlation_id) + body
    return i32(len(payload)) + payload


# ---------------------------------------------------------------- decoding

class Reader:
    def __init__(self, data):
        self.d = data
        self.p = 0

    def take(self, n):
        if n < 0 or self.p + n > len(self.d):
            raise ValueError("truncated request")
        b = self.d[self.p:self.p + n]
        self.p += n
        return b

    def i16(self):
        return struct.unpack(">h", self.take(2))[0]

    def i32(self):
        return struct.unpack(">i", self.take(4))[0]

    def nstring(self):
        n = self.i16()
        return None if n < 0 else self.take(n).decode(errors="replace")

    def nbytes(self):
        n = self.i32()
        return None if n < 0 else self.take(n)


def parse_header(req):
    r = Reader(req)
    key = r.i16()
    version = r.i16()
    corr = r.i32()
    r.nstring()  # client_id: a classic string in request header v1 and v2
    if key == API_VERSIONS and version >= 3:
        r.take(1)  # empty tagged fields (request header v2)
    return key, version, corr, r


def parse_produce_v3(r):
    """Returns (acks, [(topic, [partition...])])."""
    r.nstring()  # transactional_id
    acks = r.i16()
    r.i32()  # timeout
    topics = []
    for _ in range(r.i32()):
        name = r.nstring()
        parts = []
        for _ in range(r.i32()):
            parts.append(r.i32())
            r.nbytes()  # the record batch
        topics.append((name, parts))
    return acks, topics


def parse_metadata_v4(r):
    n = r.i32()
    if n < 0:
        return None
    return [r.nstring() for _ in range(n)]


# ---------------------------------------------------------------- responses

def api_versions_body(error, apis):
    return i16(error) + array([i16(k) + i16(lo) + i16(hi) for k, lo, hi in apis])


def closed_port():
    """A loopback port nobody listens on (bound, then released)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def metadata_v4_body(port, requested, count=None, where=None, leader=1, partition_error=0):
    def c(name, items):
        return array(items, count if where == name else None)

    replicas = c("replicas", [i32(1)])
    isr = c("isr", [i32(1)] if leader == 1 else [])
    partition = i16(partition_error) + i32(0) + i32(leader) + replicas + isr
    topic_t = i16(0) + string("t") + i8(0) + c("partitions", [partition])
    topics = [topic_t]
    for name in requested or []:
        if name != "t":
            topics.append(i16(3) + string(name) + i8(0) + array([]))  # UNKNOWN_TOPIC_OR_PARTITION
    broker = i32(1) + string("127.0.0.1") + i32(port) + nullable_string(None)
    return (i32(0)  # throttle_time_ms
            + c("brokers", [broker])
            + nullable_string("hostile-cluster")
            + i32(1)  # controller_id
            + c("topics", topics))


def produce_v3_body(topics, error=0, base_offset=0):
    out = []
    for name, parts in topics:
        out.append(string(name) + array([i32(p) + i16(error) + i64(base_offset) + i64(-1) for p in parts]))
    return array(out) + i32(0)  # throttle_time_ms


# ---------------------------------------------------------------- server

class Peer:
    def __init__(self, args):
        self.args = args
        self.mode = args.mode
        self.port = 0
        self.metadata_served = False
        self.connections = 0
        self.rng = random.Random(args.seed)
        self.next_offset = 0
        self.dead_port = 0

    async def handle(self, reader, writer):
        self.connections += 1
        conn = self.connections
        log("CONNECT %d" % conn)
        try:
            await self.serve(conn, reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError) as e:
            log("conn %d: closed by the client (%s)" % (conn, type(e).__name__))
        except Exception as e:  # keep serving other connections
            log("conn %d: peer error %r" % (conn, e))
        finally:
            try:
                writer.close()
            except Exception:
                pass

    async def drain_forever(self, reader):
        """Read and discard until the client closes."""
        while await reader.read(65536):
            pass

    async def serve(self, conn, reader, writer):
        if self.mode == "tls-stall":
            log("conn %d: reading, never answering (the TLS handshake never finishes)" % conn)
            await self.drain_forever(reader)
            return
        if self.mode == "unsolicited" and self.metadata_served:
            f = frame(0, api_versions_body(0, [(API_VERSIONS, 0, 0)]))
            log("conn %d: unsolicited %d-byte frame before any request" % (conn, len(f)))
            writer.write(f)
            await writer.drain()

        while True:
            size_bytes = await reader.readexactly(4)
            size = struct.unpack(">i", size_bytes)[0]
            if size < 0 or size > 64 * 1024 * 1024:
                log("conn %d: bad request size %d; closing" % (conn, size))
                return
            req = await reader.readexactly(size)
            key, version, corr, r = parse_header(req)

            if self.mode == "tls-port":
                # A TLS listener reading a plaintext request: fatal alert
                # (level 2) decode_error (50) in a TLS 1.2 record, then close.
                log("conn %d: api %d v%d corr %d -> TLS alert" % (conn, key, version, corr))
                writer.write(b"\x15\x03\x03\x00\x02\x02\x32")
                await writer.drain()
                await asyncio.sleep(0.5)
                return

            if key == API_VERSIONS:
                if self.mode == "never-accept-apiversions":
                    log("conn %d: ApiVersions v%d corr %d -> never answered" % (conn, version, corr))
                    await self.drain_forever(reader)
                    return
                if version > 0:
                    log("conn %d: ApiVersions v%d corr %d -> UNSUPPORTED_VERSION" % (conn, version, corr))
                    writer.write(frame(corr, api_versions_body(UNSUPPORTED_VERSION, [(API_VERSIONS, 0, 0)])))
                else:
                    log("conn %d: ApiVersions v0 corr %d -> ok" % (conn, corr))
                    writer.write(frame(corr, api_versions_body(0, [
                        (API_METADATA, 4, 4), (API_PRODUCE, 3, 3), (API_VERSIONS, 0, 0)])))
                await writer.drain()
                continue

            if key == API_METADATA:
                requested = parse_metadata_v4(r) if version == 4 else None
                count = where = None
                if self.mode in ("negative-array", "huge-array"):
                    count = self.args.count
                    if count is None:
                        count = -5 if self.mode == "negative-array" else 1000000000
                    where = self.args.where
                log("METADATA conn %d v%d corr %d topics %s%s" % (
                    conn, version, corr, requested,
                    "" if where is None else " -> count %d at %s" % (count, where)))
                leader, perr = 1, 0
                if self.mode == "no-leader":
                    leader, perr = -1, LEADER_NOT_AVAILABLE
                elif self.mode == "unknown-leader":
                    leader = 2
                advertised = self.port
                if self.mode == "dead-leader":
                    if not self.dead_port:
                        self.dead_port = closed_port()
                    advertised = self.dead_port
                writer.write(frame(corr, metadata_v4_body(advertised, requested, count, where, leader, perr)))
                await writer.drain()
                self.metadata_served = True
                continue

            if key == API_PRODUCE:
                acks, topics = parse_produce_v3(r)
                log("PRODUCE conn %d v%d corr %d acks %d topics %s" % (conn, version, corr, acks, topics))
                if acks == 0:
                    continue
                done = await self.misbehave(conn, corr, topics, reader, writer)
                if done:
                    return
                continue

            log("conn %d: unexpected api %d v%d; closing" % (conn, key, version))
            return

    def ack(self, corr, topics):
        body = produce_v3_body(topics, 0, self.next_offset)
        self.next_offset += 1000
        return frame(corr, body)

    async def misbehave(self, conn, corr, topics, reader, writer):
        """Answers one Produce request; True ends the connection."""
        m = self.mode
        good = self.ack(corr, topics)
        if m in ("ok", "unsolicited", "negative-array", "huge-array", "tls-port", "never-accept-apiversions"):
            writer.write(good)
        elif m == "unsolicited-extra":
            extra = frame(corr + 1000, produce_v3_body(topics, 0, 999999))
            log("conn %d: ack then an extra %d-byte frame" % (conn, len(extra)))
            writer.write(good + extra)
        elif m == "not-leader":
            writer.write(frame(corr, produce_v3_body(topics, NOT_LEADER_OR_FOLLOWER, -1)))
        elif m == "garbage":
            junk = bytes(self.rng.getrandbits(8) for _ in range(self.args.garbage_bytes))
            log("conn %d: %d random bytes, first 4 = %s" % (conn, len(junk), junk[:4].hex()))
            writer.write(junk)
            await writer.drain()
            await self.drain_forever(reader)
            return True
        elif m == "garbage-framed":
            junk = bytes(self.rng.getrandbits(8) for _ in range(self.args.garbage_bytes))
            writer.write(frame(corr, junk))
        elif m == "truncated":
            half = good[:len(good) // 2]
            log("conn %d: %d of %d bytes, then FIN" % (conn, len(half), len(good)))
            writer.write(half)
            await writer.drain()
            return True
        elif m == "huge-frame":
            log("conn %d: size prefix 0x7fffffff" % conn)
            writer.write(i32(0x7FFFFFFF) + i32(corr) + b"\0" * 4096)
            await writer.drain()
            await self.drain_forever(reader)
            return True
        elif m == "big-frame":
            size = self.args.frame_mib * 1024 * 1024
            log("conn %d: a %d-byte frame" % (conn, size))
            writer.write(i32(size) + i32(corr))
            chunk = b"\0" * (1024 * 1024)
            left = size - 4
            while left > 0:
                writer.write(chunk[:min(left, len(chunk))])
                left -= min(left, len(chunk))
                await writer.drain()
        elif m == "wrong-correlation":
            writer.write(self.ack(corr + 7, topics))
        elif m == "trickle":
            log("conn %d: trickling a %d-byte ack, one byte per second" % (conn, len(good)))
            for b in good:
                writer.write(bytes([b]))
                await writer.drain()
                await asyncio.sleep(1.0)
            await self.drain_forever(reader)
            return True
        elif m == "silent":
            return False  # keep reading, never answer
        elif m == "close-mid-response":
            part = good[:6]  # the size prefix and half the correlation id
            log("conn %d: %d bytes, then RST" % (conn, len(part)))
            writer.write(part)
            await writer.drain()
            await asyncio.sleep(0.05)
            sock = writer.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
            return True
        await writer.drain()
        return False


async def main_async(args):
    peer = Peer(args)
    server = await asyncio.start_server(peer.handle, "127.0.0.1", 0)
    peer.port = server.sockets[0].getsockname()[1]
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % peer.port)
    os.replace(tmp, args.port_file)
    log("LISTEN 127.0.0.1:%d mode %s" % (peer.port, args.mode))
    async with server:
        await asyncio.sleep(args.max_seconds)
    log("max-seconds reached; exiting")


def watch_stdin():
    # The test holds our stdin open; EOF means it went away (crashed or done).
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except Exception:
        pass
    os._exit(0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", required=True, choices=MODES)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--garbage-bytes", type=int, default=256)
    ap.add_argument("--frame-mib", type=int, default=96, help="big-frame: the frame size in MiB")
    ap.add_argument("--count", type=int, default=None, help="array count for negative-array / huge-array")
    ap.add_argument("--where", default="topics", choices=["brokers", "topics", "partitions", "replicas", "isr"])
    ap.add_argument("--max-seconds", type=float, default=300)
    ap.add_argument("--no-stdin-watch", action="store_true", help="keep running when stdin closes")
    args = ap.parse_args()
    if not args.no_stdin_watch:
        threading.Thread(target=watch_stdin, daemon=True).start()
    try:
        asyncio.run(main_async(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
