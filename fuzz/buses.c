/*
 * buses.c - fuzz target: chapter 6's port I/O bus (iobus.c) and MMIO bus
 * (mmiobus.c): registrations and accesses, against a model of both.
 *
 * The input is a sequence of operations, each a kind byte and its fields
 * (little-endian; missing bytes read as 0):
 *
 *   kind % 4 == 0   register a port device:  u16 base, u16 len
 *              1    a port access:           u16 port, u8 size (1, 2 or 4
 *                                            by its low bits), u8 write?,
 *                                            u32 value
 *              2    register an MMIO device: u64 base, u64 len
 *              3    an MMIO access:          u64 addr, u8 len (1-8),
 *                                            u8 write?, u64 value
 *
 * Each device the buses accept is a recorder: it logs every call, and a
 * read returns bytes that name the device and the offset. The model
 * keeps the ranges it expects the buses to have accepted. The
 * properties:
 *
 *   - a registration is accepted exactly when the range is non-empty,
 *     ends inside the address space (ports up to 0xffff; MMIO without
 *     wrapping past 2^64), overlaps no registered range and the bus has
 *     room; a refusal says so in one line on stderr;
 *   - a port access of n bytes is n one-byte accesses to port, port + 1,
 *     ... (wrapping at 0xffff), each reaching exactly the device that
 *     has that port, at its offset; unclaimed reads give 0xff and
 *     unclaimed writes vanish;
 *   - an MMIO access reaches the one device whose range holds all of
 *     it, once, at its offset, with its width; otherwise it reads all
 *     ones; nothing past the access's width is touched;
 *   - the --stats counters count each access once, for the device it
 *     went to (a port access: the device at its first port), or as
 *     unclaimed; iobus_find, mmiobus_find and the --trace names agree.
 *
 * Reference: Intel SDM Vol. 1, 19.2 (I/O port addressing); KVM api.rst
 * section 5 (KVM_EXIT_IO, KVM_EXIT_MMIO).
 */
#include "fuzz.h"

#include <stdbool.h>

#include "iobus.h"
#include "mmiobus.h"

#define MAX_OPS 2048
#define PORT_SPACE 0x10000U
#define MMIO_MAX_WIDTH 8
#define CANARY 0xa5
#define MMIO_ALL_ONES 0xff     /* what an unclaimed MMIO read finds */
#define MAX_CALLS (MMIO_MAX_WIDTH * 2)

enum { OP_IO_REGISTER, OP_IO_ACCESS, OP_MMIO_REGISTER, OP_MMIO_ACCESS };

/* A recorder device; `id` is its place in the model's list. */
struct recorder {
	bool mmio;
	unsigned id;
	uint64_t base, len;
};

/* One call a device got. */
struct call {
	unsigned id;
	bool is_write;
	uint64_t offset;
	uint32_t len;
	uint8_t data[MMIO_MAX_WIDTH];
};

static struct {
	struct iobus io;
	struct mmiobus mmio;
	struct recorder io_dev[IOBUS_MAX_DEVICES], mmio_dev[MMIOBUS_MAX_DEVICES];
	unsigned io_count, mmio_count;
	unsigned long long io_hits[IOBUS_MAX_DEVICES], io_unclaimed;
	unsigned long long mmio_hits[MMIOBUS_MAX_DEVICES], mmio_unclaimed;
	struct call calls[MAX_CALLS];
	unsigned ncalls;
} m;

static const char io_names[IOBUS_MAX_DEVICES][8] = {
	"io0", "io1", "io2", "io3", "io4", "io5", "io6", "io7",
	"io8", "io9", "io10", "io11", "io12", "io13", "io14", "io15",
};
static const char mmio_names[MMIOBUS_MAX_DEVICES][8] = {
	"mm0", "mm1", "mm2", "mm3", "mm4", "mm5", "mm6", "mm7",
	"mm8", "mm9", "mm10", "mm11", "mm12", "mm13", "mm14", "mm15",
};

/* What a recorder's register reads as: its id and the offset, mixed. */
static uint8_t pattern(unsigned id, uint64_t offset)
{
	return (uint8_t)(id * 37 + offset * 11 + (offset >> 8) + 1);
}

static struct call *log_call(const struct recorder *r, bool is_write, uint64_t offset,
			     uint32_t len)
{
	PROPERTY(m.ncalls < MAX_CALLS, "more device calls than bytes accessed");
	struct call *c = &m.calls[m.ncalls++];

	*c = (struct call){ .id = r->id, .is_write = is_write, .offset = offset, .len = len };
	return c;
}

static uint8_t io_read(void *opaque, uint16_t offset)
{
	const struct recorder *r = opaque;

	PROPERTY(offset < r->len, "port device %u read at offset %u of %llu", r->id,
		 offset, (unsigned long long)r->len);
	log_call(r, false, offset, 1);
	return pattern(r->id, offset);
}

static void io_write(void *opaque, uint16_t offset, uint8_t value)
{
	const struct recorder *r = opaque;

	PROPERTY(offset < r->len, "port device %u written at offset %u of %llu", r->id,
		 offset, (unsigned long long)r->len);
	log_call(r, true, offset, 1)->data[0] = value;
}

static void mmio_read(void *opaque, uint64_t offset, uint8_t *data, uint32_t len)
{
	const struct recorder *r = opaque;

	log_call(r, false, offset, len);
	for (uint32_t i = 0; i < len; i++)
		data[i] = pattern(r->id, offset + i);
}

static void mmio_write(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len)
{
	const struct recorder *r = opaque;
	struct call *c = log_call(r, true, offset, len);

	PROPERTY(len <= MMIO_MAX_WIDTH, "an MMIO write of %u bytes", len);
	memcpy(c->data, data, len);
}

/* ---- stderr, for the one-line refusals ---- */

static char *said;
static size_t said_len;
static FILE *quiet;

static void listen_begin(void)
{
	quiet = stderr;
	stderr = open_memstream(&said, &said_len);
	PROPERTY(stderr, "open_memstream failed");
}

static void listen_end(bool refused, const char *what)
{
	fclose(stderr);
	stderr = quiet;
	if (refused)
		PROPERTY(said_len > 5 && strncmp(said, "vmm: ", 5) == 0 &&
			 memchr(said, '\n', said_len) == said + said_len - 1,
			 "refused %s with \"%.*s\", not one line", what, (int)said_len, said);
	else
		PROPERTY(said_len == 0, "accepted %s and said \"%.*s\"", what,
			 (int)said_len, said);
	free(said);
	said = NULL;
}

/* ---- the port bus ---- */

/* The model's owner of a port, or -1. */
static int io_owner(uint16_t port)
{
	for (unsigned i = 0; i < m.io_count; i++)
		if (port >= m.io_dev[i].base && port < m.io_dev[i].base + m.io_dev[i].len)
			return (int)i;
	return -1;
}

static void io_register(uint16_t base, uint16_t len)
{
	bool fits = len > 0 && (uint32_t)base + len <= PORT_SPACE;
	bool free_range = true;

	for (unsigned i = 0; i < m.io_count; i++)
		if (base < m.io_dev[i].base + m.io_dev[i].len &&
		    m.io_dev[i].base < (uint32_t)base + len)
			free_range = false;
	bool want = fits && free_range && m.io_count < IOBUS_MAX_DEVICES;
	struct recorder *r = &m.io_dev[m.io_count < IOBUS_MAX_DEVICES ? m.io_count : 0];
	struct recorder candidate = { .mmio = false, .id = m.io_count, .base = base, .len = len };
	const struct io_device dev = {
		.name = io_names[m.io_count % IOBUS_MAX_DEVICES], .base = base, .len = len,
		.read = io_read, .write = io_write,
		.opaque = want ? r : NULL,
	};

	if (want)
		*r = candidate;
	listen_begin();
	int got = iobus_register(&m.io, &dev);
	listen_end(got != 0, "a port range");
	PROPERTY((got == 0) == want, "iobus_register(0x%x, %u) %s; the model says %s",
		 base, len, got == 0 ? "accepted" : "refused", want ? "accept" : "refuse");
	if (want)
		m.io_count++;
}

static void io_access(uint16_t port, uint8_t size, bool is_write, uint32_t value)
{
	uint8_t data[sizeof(uint32_t) * 2];
	int first = io_owner(port);

	memset(data, CANARY, sizeof(data));
	memcpy(data, &value, size);
	m.ncalls = 0;
	iobus_access(&m.io, port, is_write, data, size);
	if (first < 0)
		m.io_unclaimed++;
	else
		m.io_hits[first]++;

	unsigned next = 0;
	for (unsigned b = 0; b < size; b++) {
		uint16_t p = (uint16_t)(port + b);
		int owner = io_owner(p);

		if (owner < 0) {
			if (!is_write)
				PROPERTY(data[b] == IOBUS_FLOATING, "unclaimed port 0x%x read 0x%02x",
					 p, data[b]);
			continue;
		}
		uint64_t offset = p - m.io_dev[owner].base;
		PROPERTY(next < m.ncalls, "port 0x%x: device %d never called", p, owner);
		const struct call *c = &m.calls[next++];
		PROPERTY(c->id == (unsigned)owner && c->is_write == is_write &&
			 c->offset == offset,
			 "port 0x%x went to device %u offset %llu, not %d offset %llu", p, c->id,
			 (unsigned long long)c->offset, owner, (unsigned long long)offset);
		if (is_write)
			PROPERTY(c->data[0] == (uint8_t)(value >> (8 * b)), "port 0x%x: wrong byte", p);
		else
			PROPERTY(data[b] == pattern((unsigned)owner, offset),
				 "port 0x%x read 0x%02x, not the device's", p, data[b]);
	}
	PROPERTY(next == m.ncalls, "%u device calls for %u claimed bytes", m.ncalls, next);
	for (unsigned b = size; b < sizeof(data); b++)
		PROPERTY(data[b] == CANARY, "a %u-byte port access touched byte %u", size, b);
	for (unsigned i = 0; i < m.io_count; i++)
		PROPERTY(m.io.exits[i] == m.io_hits[i], "port device %u counted %llu, not %llu",
			 i, m.io.exits[i], m.io_hits[i]);
	PROPERTY(m.io.unclaimed_exits == m.io_unclaimed, "unclaimed port accesses miscounted");
	const struct io_device *found = iobus_find(&m.io, port);
	PROPERTY(first < 0 ? found == NULL : found && found->opaque == &m.io_dev[first],
		 "iobus_find(0x%x) disagrees with the model", port);
	PROPERTY(strcmp(iobus_device_name(&m.io, port),
			first < 0 ? "unclaimed" : io_names[first]) == 0,
		 "iobus_device_name(0x%x) disagrees", port);
}

/* ---- the MMIO bus ---- */

static bool mmio_holds(const struct recorder *r, uint64_t addr, uint32_t len)
{
	return (unsigned __int128)addr >= r->base &&
	       (unsigned __int128)addr + len <= (unsigned __int128)r->base + r->len;
}

static int mmio_owner(uint64_t addr, uint32_t len)
{
	for (unsigned i = 0; i < m.mmio_count; i++)
		if (mmio_holds(&m.mmio_dev[i], addr, len))
			return (int)i;
	return -1;
}

static void mmio_register(uint64_t base, uint64_t len)
{
	/* the range's end, base + len, must be an address: below 2^64 */
	bool fits = len > 0 && (unsigned __int128)base + len <= UINT64_MAX;
	bool free_range = true;

	for (unsigned i = 0; i < m.mmio_count; i++)
		if ((unsigned __int128)base < (unsigned __int128)m.mmio_dev[i].base +
					      m.mmio_dev[i].len &&
		    (unsigned __int128)m.mmio_dev[i].base < (unsigned __int128)base + len)
			free_range = false;
	bool want = fits && free_range && m.mmio_count < MMIOBUS_MAX_DEVICES;
	struct recorder *r = &m.mmio_dev[m.mmio_count < MMIOBUS_MAX_DEVICES ? m.mmio_count : 0];
	const struct mmio_device dev = {
		.name = mmio_names[m.mmio_count % MMIOBUS_MAX_DEVICES], .base = base, .len = len,
		.read = mmio_read, .write = mmio_write, .opaque = want ? r : NULL,
	};

	if (want)
		*r = (struct recorder){ .mmio = true, .id = m.mmio_count, .base = base, .len = len };
	listen_begin();
	int got = mmiobus_register(&m.mmio, &dev);
	listen_end(got != 0, "an MMIO range");
	PROPERTY((got == 0) == want, "mmiobus_register(0x%llx, 0x%llx) %s; the model says %s",
		 (unsigned long long)base, (unsigned long long)len,
		 got == 0 ? "accepted" : "refused", want ? "accept" : "refuse");
	if (want)
		m.mmio_count++;
}

static void mmio_access(uint64_t addr, uint32_t len, bool is_write, uint64_t value)
{
	uint8_t data[MMIO_MAX_WIDTH * 2];
	int owner = mmio_owner(addr, len);

	memset(data, CANARY, sizeof(data));
	memcpy(data, &value, len);
	m.ncalls = 0;
	mmiobus_access(&m.mmio, addr, is_write, data, len);
	if (owner < 0)
		m.mmio_unclaimed++;
	else
		m.mmio_hits[owner]++;

	if (owner < 0) {
		PROPERTY(m.ncalls == 0, "an unclaimed MMIO access reached a device");
		for (uint32_t i = 0; i < len && !is_write; i++)
			PROPERTY(data[i] == MMIO_ALL_ONES, "unclaimed MMIO read 0x%02x", data[i]);
	} else {
		uint64_t offset = addr - m.mmio_dev[owner].base;
		const struct call *c = &m.calls[0];

		PROPERTY(m.ncalls == 1, "an MMIO access made %u device calls", m.ncalls);
		PROPERTY(c->id == (unsigned)owner && c->is_write == is_write &&
			 c->offset == offset && c->len == len,
			 "MMIO 0x%llx+%u went to device %u offset 0x%llx+%u, not %d 0x%llx",
			 (unsigned long long)addr, len, c->id, (unsigned long long)c->offset,
			 c->len, owner, (unsigned long long)offset);
		for (uint32_t i = 0; i < len; i++)
			PROPERTY(is_write ? c->data[i] == (uint8_t)(value >> (8 * i))
					  : data[i] == pattern((unsigned)owner, offset + i),
				 "MMIO byte %u is not what was %s", i, is_write ? "written" : "read");
	}
	for (unsigned i = len; i < sizeof(data); i++)
		PROPERTY(data[i] == CANARY, "a %u-byte MMIO access touched byte %u", len, i);
	for (unsigned i = 0; i < m.mmio_count; i++)
		PROPERTY(m.mmio.accesses[i] == m.mmio_hits[i], "MMIO device %u miscounted", i);
	PROPERTY(m.mmio.unclaimed_accesses == m.mmio_unclaimed, "unclaimed MMIO miscounted");
	const struct mmio_device *found = mmiobus_find(&m.mmio, addr, len);
	PROPERTY(owner < 0 ? found == NULL : found && found->opaque == &m.mmio_dev[owner],
		 "mmiobus_find(0x%llx, %u) disagrees with the model", (unsigned long long)addr,
		 len);
	PROPERTY(strcmp(mmiobus_device_name(&m.mmio, addr, len),
			owner < 0 ? "unclaimed" : mmio_names[owner]) == 0,
		 "mmiobus_device_name disagrees");
}

/* ---- the input ---- */

static const uint8_t io_sizes[4] = { 1, 2, 4, 4 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	quiet_stdio();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };

	memset(&m, 0, sizeof(m));
	for (unsigned n = 0; n < MAX_OPS && in.left; n++) {
		uint8_t kind = take8(&in);

		switch (kind % 4) {
		case OP_IO_REGISTER: {
			uint16_t base = take16(&in);

			io_register(base, take16(&in));
			break;
		}
		case OP_IO_ACCESS: {
			uint16_t port = take16(&in);
			uint8_t width = io_sizes[take8(&in) & 3];
			bool is_write = take8(&in) & 1;

			io_access(port, width, is_write, take32(&in));
			break;
		}
		case OP_MMIO_REGISTER: {
			uint64_t base = take(&in, 8);

			mmio_register(base, take(&in, 8));
			break;
		}
		case OP_MMIO_ACCESS: {
			uint64_t addr = take(&in, 8);
			uint32_t width = take8(&in) % MMIO_MAX_WIDTH + 1;
			bool is_write = take8(&in) & 1;

			mmio_access(addr, width, is_write, take(&in, 8));
			break;
		}
		}
	}
	return 0;
}
