/*
 * test-06-linux-boot.c - unit tests of chapter 6's pieces, compiled with
 * the chapter's own sources. One file per concept, in
 * tests/unit/06-linux-boot/: the AML encoder and the ACPI tables, the
 * e820 map, bzImage loading, linux_load's zero page, initrd and command
 * line, the --kernel options, the file loader, the pvpanic device,
 * the device map and the crash report's hint. This file puts them into one suite.
 */
#include "suite_main.h"
#include "unit.h"

static Suite *suite(void)
{
	Suite *s = suite_create("06-linux-boot");

	add_aml_tests(s);
	add_acpi_tests(s);
	add_e820_tests(s);
	add_bzimage_tests(s);
	add_linux_load_tests(s);
	add_options_tests(s);
	add_loader_tests(s);
	add_pvpanic_tests(s);
	add_devices_tests(s);
	add_crash_tests(s);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
