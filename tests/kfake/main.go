// kpw-kfake starts franz-go's fake Kafka cluster (kfake) for kpw's tests and
// makes it answer chosen requests with chosen errors, through kfake's own
// control API. Nothing here plays the broker: kfake does; this program only
// starts it, seeds topics and arms the injected errors.
//
//	kpw-kfake [--brokers N] [--topic NAME[:PARTITIONS]]... [--fail API:ERROR[:COUNT[:DELAYMS]]]...
//	          [--addr-file PATH] [--log-requests]
//
// It prints the bootstrap address (host:port of every broker, comma
// separated) as one line on stdout, writes it to --addr-file if given, and
// runs until stdin closes, SIGTERM or SIGINT arrives, or its parent process
// dies. Every injected error is logged on stderr.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// A rule: the first Count requests of API Key are answered with Code, each
// after Delay (kfake keeps serving other connections meanwhile; requests
// behind it on the same connection wait, as with a slow broker).
type rule struct {
	Key   int16
	Code  int16
	Count int
	Delay time.Duration
	Text  string
}

func apiKeyByName(name string) (int16, error) {
	if n, err := strconv.Atoi(name); err == nil {
		return int16(n), nil
	}
	for k := int16(0); k < 200; k++ {
		if strings.EqualFold(kmsg.NameForKey(k), name) {
			return k, nil
		}
	}
	return 0, fmt.Errorf("unknown API %q", name)
}

// Kafka's current names where franz-go's kerr keeps an older one.
var errorAliases = map[string]int16{"NOT_LEADER_OR_FOLLOWER": 6}

func errorCodeByName(name string) (int16, error) {
	if n, err := strconv.Atoi(name); err == nil {
		return int16(n), nil
	}
	if c, ok := errorAliases[strings.ToUpper(name)]; ok {
		return c, nil
	}
	for c := int16(-1); c < 200; c++ {
		var ke *kerr.Error
		if errors.As(kerr.ErrorForCode(c), &ke) && ke.Code == c && strings.EqualFold(ke.Message, name) {
			return c, nil
		}
	}
	return 0, fmt.Errorf("unknown error %q", name)
}

func parseRule(text string) (rule, error) {
	parts := strings.Split(text, ":")
	if len(parts) < 2 || len(parts) > 4 {
		return rule{}, fmt.Errorf("--fail %q: want API:ERROR[:COUNT[:DELAYMS]]", text)
	}
	key, err := apiKeyByName(parts[0])
	if err != nil {
		return rule{}, err
	}
	code, err := errorCodeByName(parts[1])
	if err != nil {
		return rule{}, err
	}
	count := 1
	if len(parts) >= 3 {
		if count, err = strconv.Atoi(parts[2]); err != nil || count < 1 {
			return rule{}, fmt.Errorf("--fail %q: COUNT must be a positive number", text)
		}
	}
	delayMs := 0
	if len(parts) == 4 {
		if delayMs, err = strconv.Atoi(parts[3]); err != nil || delayMs < 0 {
			return rule{}, fmt.Errorf("--fail %q: DELAYMS must be a number of milliseconds", text)
		}
	}
	if _, err := errorResponse(mustRequest(key), code); err != nil {
		return rule{}, err
	}
	return rule{Key: key, Code: code, Count: count, Delay: time.Duration(delayMs) * time.Millisecond, Text: text}, nil
}

func mustRequest(key int16) kmsg.Request {
	r := kmsg.RequestForKey(key)
	if r == nil {
		return kmsg.NewPtrApiVersionsRequest() // errorResponse refuses it
	}
	return r
}

// errorResponse builds the response kind of req (same version) with code in
// every error field a client reads for the request: the top-level error, or
// one per topic-partition (or coordinator key) of the request.
func errorResponse(req kmsg.Request, code int16) (kmsg.Response, error) {
	resp := req.ResponseKind()
	switch r := req.(type) {
	case *kmsg.ProduceRequest:
		pr := resp.(*kmsg.ProduceResponse)
		for _, t := range r.Topics {
			rt := kmsg.NewProduceResponseTopic()
			rt.Topic, rt.TopicID = t.Topic, t.TopicID
			for _, p := range t.Partitions {
				rp := kmsg.NewProduceResponseTopicPartition()
				rp.Partition, rp.ErrorCode = p.Partition, code
				rt.Partitions = append(rt.Partitions, rp)
			}
			pr.Topics = append(pr.Topics, rt)
		}
	case *kmsg.InitProducerIDRequest:
		ir := resp.(*kmsg.InitProducerIDResponse)
		ir.ErrorCode, ir.ProducerID, ir.ProducerEpoch = code, -1, -1
	case *kmsg.FindCoordinatorRequest:
		fr := resp.(*kmsg.FindCoordinatorResponse)
		fr.ErrorCode, fr.NodeID, fr.Port = code, -1, -1
		for _, k := range r.CoordinatorKeys {
			c := kmsg.NewFindCoordinatorResponseCoordinator()
			c.Key, c.ErrorCode, c.NodeID, c.Port = k, code, -1, -1
			fr.Coordinators = append(fr.Coordinators, c)
		}
	case *kmsg.EndTxnRequest:
		resp.(*kmsg.EndTxnResponse).ErrorCode = code
	case *kmsg.AddOffsetsToTxnRequest:
		resp.(*kmsg.AddOffsetsToTxnResponse).ErrorCode = code
	case *kmsg.AddPartitionsToTxnRequest:
		ar := resp.(*kmsg.AddPartitionsToTxnResponse)
		if r.Version >= 4 {
			// v4+ (broker-to-broker batching): the top-level error is
			// what a client's single transaction sees.
			ar.ErrorCode = code
			break
		}
		for _, t := range r.Topics {
			rt := kmsg.NewAddPartitionsToTxnResponseTopic()
			rt.Topic = t.Topic
			for _, p := range t.Partitions {
				rp := kmsg.NewAddPartitionsToTxnResponseTopicPartition()
				rp.Partition, rp.ErrorCode = p, code
				rt.Partitions = append(rt.Partitions, rp)
			}
			ar.Topics = append(ar.Topics, rt)
		}
	case *kmsg.TxnOffsetCommitRequest:
		tr := resp.(*kmsg.TxnOffsetCommitResponse)
		for _, t := range r.Topics {
			rt := kmsg.NewTxnOffsetCommitResponseTopic()
			rt.Topic, rt.TopicID = t.Topic, t.TopicID
			for _, p := range t.Partitions {
				rp := kmsg.NewTxnOffsetCommitResponseTopicPartition()
				rp.Partition, rp.ErrorCode = p.Partition, code
				rt.Partitions = append(rt.Partitions, rp)
			}
			tr.Topics = append(tr.Topics, rt)
		}
	default:
		return nil, fmt.Errorf("injecting errors into %s is not supported (Produce, InitProducerId, FindCoordinator, "+
			"EndTxn, AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit are)", kmsg.NameForKey(req.Key()))
	}
	return resp, nil
}

var logMu sync.Mutex

func logf(format string, args ...any) {
	logMu.Lock()
	defer logMu.Unlock()
	fmt.Fprintf(os.Stderr, "kpw-kfake: "+format+"\n", args...)
}

func arm(c *kfake.Cluster, r rule) {
	var mu sync.Mutex // a delayed rule's function can run again while it sleeps
	left := r.Count
	name := kmsg.NameForKey(r.Key)
	errName := kerr.ErrorForCode(r.Code).(*kerr.Error).Message
	c.ControlKey(r.Key, func(req kmsg.Request) (kmsg.Response, error, bool) {
		resp, err := errorResponse(req, r.Code)
		mu.Lock()
		if err != nil || left <= 0 { // used up (or cannot happen: parseRule checked the key)
			mu.Unlock()
			c.DropControl()
			return nil, nil, false
		}
		left--
		nth := r.Count - left
		mu.Unlock()
		node := c.CurrentNode() // only valid before a sleep
		// kfake's keep flag, once set, stays set: keep on every call, drop
		// (which wins) on the last. Both act on the running function, so
		// before any sleep.
		c.KeepControl()
		if nth == r.Count {
			c.DropControl()
		}
		if r.Delay > 0 {
			c.SleepControl(func() { time.Sleep(r.Delay) })
		}
		logf("injected %s into %s v%d on broker %d (%d of %d, rule %s)", errName, name, req.GetVersion(),
			node, nth, r.Count, r.Text)
		return resp, nil, true
	})
}

func parseTopic(text string) (string, int32, error) {
	name, parts, found := strings.Cut(text, ":")
	if name == "" {
		return "", 0, fmt.Errorf("--topic %q: empty name", text)
	}
	if !found {
		return name, 1, nil
	}
	n, err := strconv.Atoi(parts)
	if err != nil || n < 1 {
		return "", 0, fmt.Errorf("--topic %q: PARTITIONS must be a positive number", text)
	}
	return name, int32(n), nil
}

func main() {
	var (
		topics      listFlag
		fails       listFlag
		brokers     = flag.Int("brokers", 1, "number of brokers (1-3)")
		addrFile    = flag.String("addr-file", "", "also write the bootstrap address to this file")
		logRequests = flag.Bool("log-requests", false, "log every request's API and version on stderr")
	)
	flag.Var(&topics, "topic", "topic to create, NAME[:PARTITIONS] (repeatable; 1 partition by default)")
	flag.Var(&fails, "fail", "answer the first COUNT (default 1) requests of API with ERROR, each after DELAYMS "+
		"(default 0), API:ERROR[:COUNT[:DELAYMS]] (repeatable)")
	flag.Parse()
	if flag.NArg() > 0 {
		fatal(fmt.Errorf("unexpected argument %q", flag.Arg(0)))
	}
	if *brokers < 1 || *brokers > 3 {
		fatal(fmt.Errorf("--brokers must be 1 to 3"))
	}

	parent := os.Getppid()
	// Die with the parent even if it never closes our stdin (SIGKILLed
	// test): the kernel signals us when the thread that started us exits.
	_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGTERM), 0)
	if os.Getppid() != parent {
		os.Exit(1) // the parent died before the request above took effect
	}

	var rules []rule
	for _, f := range fails {
		r, err := parseRule(f)
		if err != nil {
			fatal(err)
		}
		rules = append(rules, r)
	}
	opts := []kfake.Opt{kfake.NumBrokers(*brokers)}
	for _, t := range topics {
		name, n, err := parseTopic(t)
		if err != nil {
			fatal(err)
		}
		opts = append(opts, kfake.SeedTopics(n, name))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		fatal(err)
	}
	defer c.Close()

	if *logRequests {
		c.Control(func(req kmsg.Request) (kmsg.Response, error, bool) {
			logf("request %s v%d on broker %d", kmsg.NameForKey(req.Key()), req.GetVersion(), c.CurrentNode())
			return nil, nil, false
		})
	}
	for _, r := range rules {
		arm(c, r)
	}

	addr := strings.Join(c.ListenAddrs(), ",")
	if *addrFile != "" {
		tmp := *addrFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(addr+"\n"), 0o644); err != nil {
			fatal(err)
		}
		if err := os.Rename(tmp, *addrFile); err != nil {
			fatal(err)
		}
		defer os.Remove(*addrFile)
	}
	w := bufio.NewWriter(os.Stdout)
	fmt.Fprintln(w, addr)
	w.Flush()
	logf("cluster of %d broker(s) at %s, %d injection rule(s)", *brokers, addr, len(rules))

	done := make(chan string, 3)
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		done <- "stdin closed"
	}()
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
		done <- "signal " + (<-sig).String()
	}()
	go func() {
		for range time.Tick(500 * time.Millisecond) {
			if os.Getppid() != parent {
				done <- "parent exited"
				return
			}
		}
	}()
	logf("stopping: %s", <-done)
}

func fatal(err error) {
	logf("%v", err)
	os.Exit(2)
}
