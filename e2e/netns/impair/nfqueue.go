package main

import (
	"encoding/binary"
	"fmt"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Netfilter queue messages and attributes (linux/netfilter/nfnetlink_queue.h).
const (
	msgPacket  = unix.NFNL_SUBSYS_QUEUE<<8 | 0 // NFQNL_MSG_PACKET
	msgVerdict = unix.NFNL_SUBSYS_QUEUE<<8 | 1 // NFQNL_MSG_VERDICT
	msgConfig  = unix.NFNL_SUBSYS_QUEUE<<8 | 2 // NFQNL_MSG_CONFIG

	attrPacketHdr  = 1 // NFQA_PACKET_HDR
	attrVerdictHdr = 2 // NFQA_VERDICT_HDR
	attrCfgCmd     = 1 // NFQA_CFG_CMD
	attrCfgParams  = 2 // NFQA_CFG_PARAMS
	attrCfgMaxLen  = 3 // NFQA_CFG_QUEUE_MAXLEN

	cmdBind  = 1 // NFQNL_CFG_CMD_BIND
	copyMeta = 1 // NFQNL_COPY_META: the packet's id, not its bytes

	// Verdicts (linux/netfilter.h).
	Drop   = 0 // NF_DROP
	Accept = 1 // NF_ACCEPT
)

// Conn is a netlink socket bound to netfilter queues of the calling thread's
// network namespace. Closing it (or the process ending) unbinds them; packets
// sent to an unbound queue are dropped, since the rules carry no bypass.
type Conn struct {
	fd  int
	mu  sync.Mutex // serialises sends
	seq uint32
	buf []byte
}

// Open opens the netlink socket.
func Open() (*Conn, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_NETFILTER)
	if err != nil {
		return nil, fmt.Errorf("netlink socket: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("bind netlink socket: %w", err)
	}
	// A burst bigger than the socket buffer must not end the program: the
	// kernel drops what does not fit, as a full router queue would.
	_ = unix.SetsockoptInt(fd, unix.SOL_NETLINK, unix.NETLINK_NO_ENOBUFS, 1)
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 8<<20)
	// Reads wake up now and then so that Run can notice it should stop.
	tv := unix.NsecToTimeval(int64(100 * time.Millisecond))
	_ = unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	return &Conn{fd: fd, buf: make([]byte, 1<<16)}, nil
}

// Close closes the socket, unbinding every queue.
func (c *Conn) Close() error { return unix.Close(c.fd) }

// Bind takes queue num, asks for packet ids only, and lets up to maxLen
// packets wait in the kernel for their verdict.
func (c *Conn) Bind(num uint16, maxLen uint32) error {
	cmd := []byte{cmdBind, 0, 0, unix.AF_INET}
	params := make([]byte, 5)
	binary.BigEndian.PutUint32(params, 0xffff)
	params[4] = copyMeta
	ml := binary.BigEndian.AppendUint32(nil, maxLen)
	for _, a := range [][]byte{attr(attrCfgCmd, cmd), attr(attrCfgParams, params), attr(attrCfgMaxLen, ml)} {
		if err := c.request(msgConfig, num, a); err != nil {
			return fmt.Errorf("%w %d: %w", ErrBind, num, err)
		}
	}
	return nil
}

// Verdict tells the kernel what to do with packet id of queue num.
func (c *Conn) Verdict(num uint16, id uint32, verdict uint32) error {
	v := make([]byte, 8)
	binary.BigEndian.PutUint32(v, verdict)
	binary.BigEndian.PutUint32(v[4:], id)
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.send(msgVerdict, num, 0, attr(attrVerdictHdr, v))
}

// Packet is one queued packet waiting for its verdict.
type Packet struct {
	Queue uint16
	ID    uint32
}

// Read waits up to 100 ms for packets and returns them (none when the time
// ran out). Acknowledgements and other messages are skipped.
func (c *Conn) Read() ([]Packet, error) {
	n, _, err := unix.Recvfrom(c.fd, c.buf, 0)
	if err == unix.EAGAIN || err == unix.EINTR {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	msgs, err := syscall.ParseNetlinkMessage(c.buf[:n])
	if err != nil {
		return nil, err
	}
	var out []Packet
	for _, m := range msgs {
		if m.Header.Type != msgPacket || len(m.Data) < 4 {
			continue
		}
		q := binary.BigEndian.Uint16(m.Data[2:4])
		for typ, data := range attrs(m.Data[4:]) {
			if typ == attrPacketHdr && len(data) >= 4 {
				out = append(out, Packet{Queue: q, ID: binary.BigEndian.Uint32(data)})
			}
		}
	}
	return out, nil
}

// request sends a message that asks for an acknowledgement and waits for it.
// It runs before Read is used, so it may read the socket itself.
func (c *Conn) request(typ uint16, num uint16, payload []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	if err := c.send(typ, num, unix.NLM_F_ACK, payload); err != nil {
		return err
	}
	for {
		n, _, err := unix.Recvfrom(c.fd, c.buf, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		msgs, err := syscall.ParseNetlinkMessage(c.buf[:n])
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if m.Header.Type != unix.NLMSG_ERROR || m.Header.Seq != c.seq {
				continue
			}
			if len(m.Data) < 4 {
				return ErrShortMessage
			}
			if code := int32(binary.NativeEndian.Uint32(m.Data)); code != 0 {
				return unix.Errno(-code)
			}
			return nil
		}
	}
}

// send writes one message; c.mu must be held.
func (c *Conn) send(typ uint16, num uint16, flags uint16, payload []byte) error {
	msg := make([]byte, unix.NLMSG_HDRLEN+4, unix.NLMSG_HDRLEN+4+len(payload))
	binary.NativeEndian.PutUint32(msg[0:], uint32(cap(msg)))
	binary.NativeEndian.PutUint16(msg[4:], typ)
	binary.NativeEndian.PutUint16(msg[6:], unix.NLM_F_REQUEST|flags)
	binary.NativeEndian.PutUint32(msg[8:], c.seq)
	// nfgenmsg: family, version NFNETLINK_V0, the queue number (big endian).
	msg[16], msg[17] = unix.AF_UNSPEC, 0
	binary.BigEndian.PutUint16(msg[18:], num)
	msg = append(msg, payload...)
	return unix.Sendto(c.fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK})
}

// attr encodes one netlink attribute, padded to four bytes.
func attr(typ uint16, data []byte) []byte {
	n := 4 + len(data)
	b := make([]byte, (n+3)&^3)
	binary.NativeEndian.PutUint16(b, uint16(n))
	binary.NativeEndian.PutUint16(b[2:], typ)
	copy(b[4:], data)
	return b
}

// attrs walks the attributes in b, yielding each type (without its flag
// bits) and its data.
func attrs(b []byte) func(yield func(uint16, []byte) bool) {
	return func(yield func(uint16, []byte) bool) {
		for len(b) >= 4 {
			n := int(binary.NativeEndian.Uint16(b))
			typ := binary.NativeEndian.Uint16(b[2:]) & 0x3fff
			if n < 4 || n > len(b) {
				return
			}
			if !yield(typ, b[4:n]) {
				return
			}
			b = b[min((n+3)&^3, len(b)):]
		}
	}
}
