/*
 * test-02-protected-mode.c - unit tests of chapter 2's new pieces:
 * descriptor encoding against known encodings, decoding into a
 * kvm_segment's hidden part, the GDT in guest memory, --mode, and the
 * crash report's segment descriptions.
 */
#define _GNU_SOURCE
#include <check.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "crash.h"
#include "gdt.h"
#include "options.h"

#include "suite_main.h"

#define FLAT_CODE_ACCESS (SEG_PRESENT | SEG_CODE_OR_DATA | SEG_TYPE_CODE | \
			  SEG_TYPE_READABLE)
#define FLAT_DATA_ACCESS (SEG_PRESENT | SEG_CODE_OR_DATA | SEG_TYPE_WRITABLE)

START_TEST(test_descriptor_known_encodings)
{
	/* The flat 4 GiB segments every OS tutorial's GDT starts with. */
	ck_assert_uint_eq(gdt_descriptor(0, 0xfffff, FLAT_CODE_ACCESS,
					 SEG_FLAG_G | SEG_FLAG_DB),
			  0x00cf9a000000ffffULL);
	ck_assert_uint_eq(gdt_descriptor(0, 0xfffff, FLAT_DATA_ACCESS,
					 SEG_FLAG_G | SEG_FLAG_DB),
			  0x00cf92000000ffffULL);
	/* 16-bit code, byte granular: no G, no D/B */
	ck_assert_uint_eq(gdt_descriptor(0, 0xffff, FLAT_CODE_ACCESS, 0),
			  0x00009a000000ffffULL);
	/* 64-bit code: L set, D/B clear */
	ck_assert_uint_eq(gdt_descriptor(0, 0xfffff, FLAT_CODE_ACCESS,
					 SEG_FLAG_G | SEG_FLAG_L),
			  0x00af9a000000ffffULL);
	/* base bits land in three places; DPL 3 */
	ck_assert_uint_eq(gdt_descriptor(0x12345678, 0xabcde,
					 FLAT_DATA_ACCESS | (3 << SEG_DPL_SHIFT), 0),
			  0x120af2345678bcdeULL);
}
END_TEST

START_TEST(test_segment_from_descriptor)
{
	struct kvm_segment seg;

	segment_from_descriptor(0x08, 0x00cf9b000000ffffULL, &seg);
	ck_assert_uint_eq(seg.selector, 0x08);
	ck_assert_uint_eq(seg.base, 0);
	ck_assert_uint_eq(seg.limit, 0xffffffff); /* G: pages, last byte */
	ck_assert_uint_eq(seg.type, 0xb);
	ck_assert(seg.s && seg.present && seg.db && seg.g && !seg.l);
	ck_assert_uint_eq(seg.dpl, 0);

	segment_from_descriptor(0x2b, 0x120af2345678bcdeULL, &seg);
	ck_assert_uint_eq(seg.base, 0x12345678);
	ck_assert_uint_eq(seg.limit, 0xabcde); /* byte granular */
	ck_assert_uint_eq(seg.dpl, 3);
	ck_assert(!seg.g && !seg.db);
	ck_assert_uint_eq(seg.type, 0x2);
}
END_TEST

static uint8_t ram[2 * 1024 * 1024];
static const struct guest_memory mem = { ram, sizeof(ram) };

START_TEST(test_gdt_install)
{
	struct kvm_sregs sregs;
	uint64_t gdt[GDT_ENTRIES];

	memset(&sregs, 0, sizeof(sregs));
	ck_assert_int_eq(gdt_install(&mem, &sregs), 0);
	memcpy(gdt, ram + GDT_ADDR, sizeof(gdt));
	ck_assert_uint_eq(gdt[0], 0);
	ck_assert_uint_eq(gdt[GDT_CODE32 / 8], 0x00cf9b000000ffffULL);
	ck_assert_uint_eq(gdt[GDT_DATA32 / 8], 0x00cf93000000ffffULL);
	ck_assert_uint_eq(sregs.gdt.base, GDT_ADDR);
	ck_assert_uint_eq(sregs.gdt.limit, sizeof(gdt) - 1);
	ck_assert_uint_eq(sregs.cs.selector, GDT_CODE32);
	ck_assert(sregs.cs.db && sregs.cs.present && (sregs.cs.type & SEG_TYPE_CODE));
	ck_assert_uint_eq(sregs.ss.selector, GDT_DATA32);
	ck_assert_uint_eq(sregs.ds.limit, 0xffffffff);
	ck_assert_uint_eq(sregs.es.selector, GDT_DATA32);
}
END_TEST

START_TEST(test_gdt_install_no_room)
{
	const struct guest_memory tiny = { ram, GDT_ADDR + 8 };
	struct kvm_sregs sregs;

	ck_assert_int_eq(gdt_install(&tiny, &sregs), -1);
}
END_TEST

START_TEST(test_mode_option)
{
	struct options o;
	int status;
	enum cpu_mode mode;
	const char *dflt[] = { "vmm", "g", NULL };
	const char *real[] = { "vmm", "--mode", "real", "g", NULL };
	const char *bad[] = { "vmm", "--mode", "banana", "g", NULL };
	const char *missing[] = { "vmm", "g", "--mode", NULL };

	ck_assert_int_eq(parse_mode("protected", &mode), 0);
	ck_assert_int_eq(mode, MODE_PROTECTED);
	ck_assert_int_eq(parse_mode("Real", &mode), -1);
	ck_assert_int_eq(parse_mode("", &mode), -1);

	optind = 0;
	ck_assert(parse_options(2, (char **)dflt, &o, &status));
	ck_assert_int_eq(o.mode, MODE_PROTECTED);
	optind = 0;
	ck_assert(parse_options(4, (char **)real, &o, &status));
	ck_assert_int_eq(o.mode, MODE_REAL);
	optind = 0;
	ck_assert(!parse_options(4, (char **)bad, &o, &status));
	ck_assert_int_eq(status, EX_USAGE);
	optind = 0;
	ck_assert(!parse_options(3, (char **)missing, &o, &status));
	ck_assert_int_eq(status, EX_USAGE);
}
END_TEST

START_TEST(test_describe_segment)
{
	struct kvm_segment seg;
	char buf[64];

	segment_from_descriptor(0x08, 0x00cf9b000000ffffULL, &seg);
	describe_segment(&seg, buf, sizeof(buf));
	ck_assert_str_eq(buf, "code 32-bit readable dpl=0");
	segment_from_descriptor(0x10, 0x00cf93000000ffffULL, &seg);
	describe_segment(&seg, buf, sizeof(buf));
	ck_assert_str_eq(buf, "data 32-bit writable dpl=0");
	segment_from_descriptor(0x08, 0x00af9b000000ffffULL, &seg);
	describe_segment(&seg, buf, sizeof(buf));
	ck_assert_str_eq(buf, "code 64-bit readable dpl=0");
	seg = (struct kvm_segment){ .type = SYS_TYPE_TSS_BUSY, .present = 1 };
	describe_segment(&seg, buf, sizeof(buf));
	ck_assert_str_eq(buf, "system TSS (busy)");
	seg.present = 0;
	describe_segment(&seg, buf, sizeof(buf));
	ck_assert_str_eq(buf, "not present");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("02-protected-mode");
	TCase *tc = tcase_create("segments");

	tcase_add_test(tc, test_descriptor_known_encodings);
	tcase_add_test(tc, test_segment_from_descriptor);
	tcase_add_test(tc, test_gdt_install);
	tcase_add_test(tc, test_gdt_install_no_room);
	tcase_add_test(tc, test_describe_segment);
	suite_add_tcase(s, tc);
	tc = tcase_create("options");
	tcase_add_test(tc, test_mode_option);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
