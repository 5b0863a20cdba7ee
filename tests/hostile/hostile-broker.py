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
  produce-missing-partition  Produce: a well-formed answer without our partition:
                     --variant topic (default) leaves out the whole topic,
                     --variant partition keeps the topic with no partitions
  produce-other-partition  Produce: answers only for partitions we did not send
                     (t-1 and topic "never-sent" partition 0), error 0
  produce-duplicate-partition  Produce: our partition twice: --variant
                     error-then-ok (default) NOT_LEADER_OR_FOLLOWER then an ack,
                     --variant two-offsets two acks at different offsets
  produce-unknown-error  Produce: error --code (default 32000), a code Kafka
                     does not define; try -32000, or -1003 (a client-side code)
  produce-negative-offset  Produce: error 0 but base_offset -1 (an "ack" that
                     names no offset, which no broker sends for acks=1/all)
  huge-throttle      Metadata and Produce: a valid answer with throttle_time_ms
                     2147483647 (acks; the client must not sit out 24 days)
  apiversions-error  ApiVersions: UNSUPPORTED_VERSION with an empty list, for
                     every version, v0 included (--variant always, default);
                     --variant old-broker refuses only v1+ (as brokers before
                     Kafka 2.4 did) and answers v0
  apiversions-no-produce  ApiVersions: a list without the Produce API
                     (--variant absent, default), or with Produce v0-v2 only
                     (--variant range), below every version kpw speaks
  metadata-no-brokers  Metadata: an empty broker list, t-0 led by node 1
                     (--variant empty, default), or the broker listed and t-0
                     led by node -7 with error 0 (--variant negative-leader)
  metadata-no-partitions  Metadata: t with error 0 and no partitions (--variant
                     empty, default), or without t at all (--variant absent)
  metadata-bad-port  Metadata: the broker (leader of t-0) at port 65536 + ours
                     (--variant wrap, default: the same port once cut to 16
                     bits) or at port 0 (--variant zero)
  initpid-negative   ApiVersions offers InitProducerId v0; InitProducerId: error 0
                     but producer id -1 (an idempotent producer cannot start)
  zero-frame         Produce: a response size prefix of 0
  negative-frame     Produce: a response size prefix of 0xffffffff (-1)
  short-frame        Produce: a 2-byte frame, shorter than a correlation id
  accept-close       every connection: accepted, then closed (FIN) at once
  rst-on-connect     every connection: accepted, then reset (RST) at once

Every Produce request is logged on stderr as a line starting "PRODUCE", every
Metadata request as "METADATA", every ApiVersions request as "APIVERSIONS",
every connection as "CONNECT"; the test counts them. Stdlib only. The port goes to
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
API_INIT_PRODUCER_ID = 22

LEADER_NOT_AVAILABLE = 5
NOT_LEADER_OR_FOLLOWER = 6
UNSUPPORTED_VERSION = 35
MAX_THROTTLE_MS = 2147483647

MODES = [
    "ok", "garbage", "garbage-framed", "truncated", "huge-frame", "big-frame", "wrong-correlation",
    "unsolicited", "unsolicited-extra", "trickle", "silent", "close-mid-response",
    "tls-port", "never-accept-apiversions", "negative-array", "huge-array", "not-leader",
    "no-leader", "unknown-leader", "dead-leader", "tls-stall",
    "produce-missing-partition", "produce-other-partition", "produce-duplicate-partition",
    "produce-unknown-error", "produce-negative-offset", "huge-throttle", "apiversions-error",
    "apiversions-no-produce", "metadata-no-brokers", "metadata-bad-port", "metadata-no-partitions", "initpid-negative", "zero-frame", "negative-frame", "short-frame",
    "accept-close", "rst-on-connect",
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


def metadata_v4_body(port, requested, count=None, where=None, leader=1, partition_error=0, brokers=True,
                     throttle_ms=0, t_partitions=True, t_listed=True):
    def c(name, items):
        return array(items, count if where == name else None)

    replicas = c("replicas", [i32(1)])
    isr = c("isr", [i32(1)] if leader == 1 else [])
    partition = i16(partition_error) + i32(0) + i32(leader) + replicas + isr
    topic_t = i16(0) + string("t") + i8(0) + c("partitions", [partition] if t_partitions else [])
    topics = [topic_t] if t_listed else []
    for name in requested or []:
        if name != "t":
            topics.append(i16(3) + string(name) + i8(0) + array([]))  # UNKNOWN_TOPIC_OR_PARTITION
    broker = i32(1) + string("127.0.0.1") + i32(port) + nullable_string(None)
    return (i32(throttle_ms)
            + c("brokers", [broker] if brokers else [])
            + nullable_string("hostile-cluster")
            + i32(1)  # controller_id
            + c("topics", topics))


def produce_v3_body(topics, error=0, base_offset=0, throttle_ms=0):
    return produce_v3_entries([(name, [(p, error, base_offset) for p in parts]) for name, parts in topics],
                              throttle_ms)


def produce_v3_entries(topics, throttle_ms=0):
    """topics: [(name, [(partition, error, base_offset)...])], as given (duplicates, strangers)."""
    out = []
    for name, entries in topics:
        out.append(string(name) + array([i32(p) + i16(e) + i64(o) + i64(-1) for p, e, o in entries]))
    return array(out) + i32(throttle_ms)


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
        if self.mode == "accept-close":
            log("conn %d: accepted, closing at once (FIN)" % conn)
            return  # handle() closes the writer
        if self.mode == "rst-on-connect":
            log("conn %d: accepted, resetting at once (RST)" % conn)
            sock = writer.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
            return
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
                what = "APIVERSIONS conn %d v%d corr %d ->" % (conn, version, corr)
                if self.mode == "never-accept-apiversions":
                    log("%s never answered" % what)
                    await self.drain_forever(reader)
                    return
                variant = self.args.variant
                if self.mode == "apiversions-error" and (version > 0 or variant != "old-broker"):
                    log("%s UNSUPPORTED_VERSION, empty list" % what)
                    writer.write(frame(corr, api_versions_body(UNSUPPORTED_VERSION, [])))
                elif version > 0:
                    log("%s UNSUPPORTED_VERSION" % what)
                    writer.write(frame(corr, api_versions_body(UNSUPPORTED_VERSION, [(API_VERSIONS, 0, 0)])))
                else:
                    apis = [(API_METADATA, 4, 4), (API_PRODUCE, 3, 3), (API_VERSIONS, 0, 0)]
                    if self.mode == "apiversions-no-produce":
                        apis = [a for a in apis if a[0] != API_PRODUCE]
                        if variant == "range":
                            apis.append((API_PRODUCE, 0, 2))
                    if self.mode == "initpid-negative":
                        apis.append((API_INIT_PRODUCER_ID, 0, 0))
                    log("%s ok %s" % (what, apis))
                    writer.write(frame(corr, api_versions_body(0, apis)))
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
                leader, perr, brokers = 1, 0, True
                if self.mode == "no-leader":
                    leader, perr = -1, LEADER_NOT_AVAILABLE
                elif self.mode == "unknown-leader":
                    leader = 2
                elif self.mode == "metadata-no-brokers":
                    if self.args.variant == "negative-leader":
                        leader = -7
                    else:
                        brokers = False
                advertised = self.port
                if self.mode == "dead-leader":
                    if not self.dead_port:
                        self.dead_port = closed_port()
                    advertised = self.dead_port
                elif self.mode == "metadata-bad-port":
                    advertised = 0 if self.args.variant == "zero" else self.port + 65536
                throttle = MAX_THROTTLE_MS if self.mode == "huge-throttle" else 0
                empty = self.mode == "metadata-no-partitions" and self.args.variant != "absent"
                absent = self.mode == "metadata-no-partitions" and self.args.variant == "absent"
                writer.write(frame(corr, metadata_v4_body(advertised, requested, count, where, leader, perr, brokers,
                                                          throttle, not empty, not absent)))
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

            if key == API_INIT_PRODUCER_ID and self.mode == "initpid-negative":
                log("INITPID conn %d v%d corr %d -> error 0, producer id -1" % (conn, version, corr))
                writer.write(frame(corr, i32(0) + i16(0) + i64(-1) + i16(0)))
                await writer.drain()
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
        if m in ("ok", "unsolicited", "negative-array", "huge-array", "tls-port", "never-accept-apiversions",
                 "apiversions-error", "apiversions-no-produce", "metadata-no-brokers", "metadata-bad-port", "initpid-negative"):
            writer.write(good)
        elif m == "unsolicited-extra":
            extra = frame(corr + 1000, produce_v3_body(topics, 0, 999999))
            log("conn %d: ack then an extra %d-byte frame" % (conn, len(extra)))
            writer.write(good + extra)
        elif m == "not-leader":
            writer.write(frame(corr, produce_v3_body(topics, NOT_LEADER_OR_FOLLOWER, -1)))
        elif m == "huge-throttle":
            log("conn %d: ack with throttle_time_ms %d" % (conn, MAX_THROTTLE_MS))
            writer.write(frame(corr, produce_v3_body(topics, 0, self.next_offset, MAX_THROTTLE_MS)))
            self.next_offset += 1000
        elif m == "produce-missing-partition":
            if self.args.variant == "partition":
                body = produce_v3_entries([(name, []) for name, _ in topics])
            else:
                body = produce_v3_entries([])
            log("conn %d: an answer without our partitions (%s)" % (conn, self.args.variant or "topic"))
            writer.write(frame(corr, body))
        elif m == "produce-other-partition":
            strangers = [("t", [(1, 0, 4242)]), ("never-sent", [(0, 0, 4343)])]
            log("conn %d: answers for %s only" % (conn, strangers))
            writer.write(frame(corr, produce_v3_entries(strangers)))
        elif m == "produce-duplicate-partition":
            offset = self.next_offset
            self.next_offset += 1000
            if self.args.variant == "two-offsets":
                twice = [(offset, 0), (offset + 500, 0)]
            else:
                twice = [(-1, NOT_LEADER_OR_FOLLOWER), (offset, 0)]
            entries = [(name, [(p, e, o) for p in parts for o, e in twice]) for name, parts in topics]
            log("conn %d: every partition twice: %s" % (conn, entries))
            writer.write(frame(corr, produce_v3_entries(entries)))
        elif m == "produce-unknown-error":
            code = 32000 if self.args.code is None else self.args.code
            log("conn %d: error code %d" % (conn, code))
            writer.write(frame(corr, produce_v3_body(topics, code, -1)))
        elif m == "produce-negative-offset":
            log("conn %d: error 0, base_offset -1" % conn)
            writer.write(frame(corr, produce_v3_body(topics, 0, -1)))
        elif m in ("zero-frame", "negative-frame", "short-frame"):
            bad = {"zero-frame": i32(0), "negative-frame": b"\xff\xff\xff\xff",
                   "short-frame": i32(2) + i16(corr & 0x7FFF)}[m]
            log("conn %d: %s: %s" % (conn, m, bad.hex()))
            writer.write(bad)
            await writer.drain()
            await self.drain_forever(reader)
            return True
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
    ap.add_argument("--code", type=int, default=None, help="produce-unknown-error: the error code (default 32000)")
    ap.add_argument("--variant", default=None, help="a mode's variant (see the list above)")
    ap.add_argument("--max-seconds", type=float, default=300)
    ap.add_argument("--no-stdin-watch", action="store_true", help="keep running when stdin closes")
    args = ap.parse_args()
    variants = {"produce-missing-partition": ["topic", "partition"],
                "produce-duplicate-partition": ["error-then-ok", "two-offsets"],
                "apiversions-error": ["always", "old-broker"], "apiversions-no-produce": ["absent", "range"],
                "metadata-no-brokers": ["empty", "negative-leader"], "metadata-bad-port": ["wrap", "zero"],
                "metadata-no-partitions": ["empty", "absent"]}
    if args.variant is not None and args.variant not in variants.get(args.mode, []):
        ap.error("--mode %s has no variant %r (it has: %s)" % (
            args.mode, args.variant, ", ".join(variants.get(args.mode, [])) or "none"))
    if not args.no_stdin_watch:
        threading.Thread(target=watch_stdin, daemon=True).start()
    try:
        asyncio.run(main_async(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
