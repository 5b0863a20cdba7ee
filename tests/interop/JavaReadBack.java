// The Java client as an independent oracle for the interop tests: the same
// Maven-resolved Kafka jars as the test broker (tests/kafka/kafka-fixture
// classpath). A single-file program; Java 17+ runs it without a javac step:
//
//   java -cp CLASSPATH JavaReadBack.java [--timeout-ms=N] BOOTSTRAP TOPIC COUNT [TOPIC COUNT ...]
//   java -cp CLASSPATH JavaReadBack.java --partition PARTITIONS   (keys on stdin)
//
// Read mode: a KafkaConsumer (ByteArrayDeserializer, no group: assign() every
// partition, seekToBeginning) reads each TOPIC until it has COUNT records or
// the deadline (default 30 s for the whole run) passes. One line per record,
// tab separated, in the order the consumer returned them (per-partition order):
//
//   R <topic> <partition> <offset> <timestamp> <CreateTime|LogAppendTime> <key> <value> [<header> ...]
//
// key, value: base64 (standard alphabet, may be empty) or "-" for null.
// header: base64(UTF-8 name) ":" base64(value), or base64(name) ":-" for a null value.
// Then "DONE <topic> <count>" per topic. Exit 0 when every topic reached its
// COUNT, 1 otherwise (with the reason on stderr), 2 on bad arguments.
//
// Partition mode: stdin holds one base64 key per line; prints for each
// "P <Utils.murmur2(key)> <BuiltInPartitioner.partitionForKey(key, PARTITIONS)>",
// the Java producer's placement of a keyed record.
//
// Lines that start with neither "R<TAB>", "DONE " nor "P " (e.g. logging) are not ours.

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;

public class JavaReadBack
{
    private static final Base64.Encoder B64 = Base64.getEncoder();

    private static String b64(byte[] b) { return b == null ? "-" : B64.encodeToString(b); }

    private static int usage(String why)
    {
        System.err.println("JavaReadBack: " + why);
        System.err.println("usage: JavaReadBack [--timeout-ms=N] BOOTSTRAP TOPIC COUNT [TOPIC COUNT ...]");
        System.err.println("       JavaReadBack --partition PARTITIONS   (base64 keys on stdin)");
        return 2;
    }

    public static void main(String[] args) throws Exception
    {
        int rc;
        try {
            rc = run(args);
        } catch (Exception e) {
            System.err.println("JavaReadBack: " + e);
            e.printStackTrace(System.err);
            rc = 1;
        }
        System.out.flush();
        System.err.flush();
        // The consumer's threads are closed; exit at once anyway.
        Runtime.getRuntime().halt(rc);
    }

    private static int run(String[] args) throws Exception
    {
        if (args.length >= 1 && args[0].equals("--partition"))
            return partitionMode(args);
        long timeoutMs = 30000;
        int at = 0;
        if (args.length > 0 && args[0].startsWith("--timeout-ms=")) {
            timeoutMs = Long.parseLong(args[0].substring("--timeout-ms=".length()));
            at = 1;
        }
        if (args.length - at < 3 || (args.length - at - 1) % 2 != 0)
            return usage("expected BOOTSTRAP and TOPIC COUNT pairs");
        final String bootstrap = args[at];
        final Map<String, Integer> wanted = new LinkedHashMap<>();
        for (int i = at + 1; i < args.length; i += 2)
            wanted.put(args[i], Integer.parseInt(args[i + 1]));
        return readMode(bootstrap, wanted, timeoutMs);
    }

    private static int partitionMode(String[] args) throws Exception
    {
        if (args.length != 2)
            return usage("--partition takes PARTITIONS");
        final int partitions = Integer.parseInt(args[1]);
        final Base64.Decoder dec = Base64.getDecoder();
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        final BufferedWriter out =
            new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.US_ASCII), 1 << 16);
        String line;
        while ((line = in.readLine()) != null) {
            final byte[] key = dec.decode(line.trim());
            final int hash = Utils.murmur2(key);
            final int viaUtils = Utils.toPositive(hash) % partitions;
            final int viaProducer = BuiltInPartitioner.partitionForKey(key, partitions);
            if (viaUtils != viaProducer) {
                System.err.println("JavaReadBack: Utils and BuiltInPartitioner disagree for " + line);
                return 1;
            }
            out.write("P " + hash + " " + viaProducer + "\n");
        }
        out.flush();
        return 0;
    }

    private static int readMode(String bootstrap, Map<String, Integer> wanted, long timeoutMs) throws Exception
    {
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        props.put(ConsumerConfig.CHECK_CRCS_CONFIG, "true");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "kpw-interop-java-readback");

        final BufferedWriter out =
            new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.US_ASCII), 1 << 16);
        final Map<String, Integer> got = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            final List<TopicPartition> assignment = new ArrayList<>();
            for (String topic : wanted.keySet()) {
                got.put(topic, 0);
                List<PartitionInfo> infos = null;
                while (infos == null || infos.isEmpty()) {
                    final long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000L);
                    try {
                        infos = consumer.partitionsFor(topic, Duration.ofMillis(Math.min(left, 5000)));
                    } catch (org.apache.kafka.common.errors.TimeoutException e) {
                        infos = null;
                    }
                    if ((infos == null || infos.isEmpty()) && System.nanoTime() > deadline) {
                        System.err.println("JavaReadBack: no partitions for topic " + topic);
                        return 1;
                    }
                }
                for (PartitionInfo p : infos)
                    assignment.add(new TopicPartition(topic, p.partition()));
            }
            consumer.assign(assignment);
            consumer.seekToBeginning(assignment);

            while (!allDone(wanted, got) && System.nanoTime() < deadline) {
                final long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000L);
                final ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(Math.min(left, 500)));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    final StringBuilder sb = new StringBuilder(256);
                    sb.append("R\t")
                        .append(r.topic())
                        .append('\t')
                        .append(r.partition())
                        .append('\t')
                        .append(r.offset())
                        .append('\t')
                        .append(r.timestamp())
                        .append('\t')
                        .append(r.timestampType().name)
                        .append('\t')
                        .append(b64(r.key()))
                        .append('\t')
                        .append(b64(r.value()));
                    for (Header h : r.headers()) {
                        sb.append('\t')
                            .append(B64.encodeToString(h.key().getBytes(StandardCharsets.UTF_8)))
                            .append(':')
                            .append(b64(h.value()));
                    }
                    sb.append('\n');
                    out.write(sb.toString());
                    got.merge(r.topic(), 1, Integer::sum);
                }
            }
            for (Map.Entry<String, Integer> e : wanted.entrySet())
                out.write("DONE " + e.getKey() + " " + got.get(e.getKey()) + "\n");
            out.flush();
        }
        if (!allDone(wanted, got)) {
            for (Map.Entry<String, Integer> e : wanted.entrySet())
                if (got.get(e.getKey()) < e.getValue())
                    System.err.println("JavaReadBack: topic " + e.getKey() + ": " + got.get(e.getKey()) + " of " +
                                       e.getValue() + " records within " + timeoutMs + " ms");
            return 1;
        }
        return 0;
    }

    private static boolean allDone(Map<String, Integer> wanted, Map<String, Integer> got)
    {
        for (Map.Entry<String, Integer> e : wanted.entrySet())
            if (got.get(e.getKey()) < e.getValue())
                return false;
        return true;
    }
}
