/*
 * pvpanic.c - tests of chapter 6's pvpanic device (pvpanic.c), alone
 * and on the VM's port bus, where a panic ends the VM with status 70.
 */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sysexits.h>

#include "devices.h"
#include "iobus.h"
#include "pvpanic.h"
#include "unit.h"
#include "vm.h"

static int panics;

static void count_panic(void *ctx)
{
	ck_assert_ptr_eq(ctx, &panics);
	panics++;
}

/* Linux include/uapi/misc/pvpanic.h, as numbers. */
#define PANICKED     0x01
#define CRASH_LOADED 0x02

/* The driver reads what it may send: PANICKED and CRASH_LOADED. */
START_TEST(test_pvpanic_read)
{
	struct pvpanic dev;

	pvpanic_init(&dev, count_panic, &panics);
	ck_assert_uint_eq(pvpanic_read(&dev, 0), PANICKED | CRASH_LOADED);
	ck_assert_uint_eq(pvpanic_read(&dev, 0), PANICKED | CRASH_LOADED);
}
END_TEST

/* Every write with bit 0 is a panic; other events, and nothing, are not. */
START_TEST(test_pvpanic_write)
{
	struct pvpanic dev;

	panics = 0;
	pvpanic_init(&dev, count_panic, &panics);
	pvpanic_write(&dev, 0, 0);
	pvpanic_write(&dev, 0, CRASH_LOADED);
	pvpanic_write(&dev, 0, 0xfe);
	ck_assert_int_eq(panics, 0);
	pvpanic_write(&dev, 0, PANICKED);
	ck_assert_int_eq(panics, 1);
	pvpanic_write(&dev, 0, PANICKED | CRASH_LOADED);
	ck_assert_int_eq(panics, 2);
}
END_TEST

/*
 * The whole path: port 0x505 on the VM's bus, as devices_setup wires it.
 * A panic ends the VM with EX_SOFTWARE (70) and one line on stderr.
 */
static struct vm vm;

START_TEST(test_pvpanic_ends_vm)
{
	uint8_t data;

	vm = (struct vm){ .kvm_fd = -1, .vm_fd = -1, .exit_status = VM_RUNNING };
	ck_assert_int_eq(devices_setup(&vm), 0);
	ck_assert_str_eq(iobus_device_name(&vm.io_bus, 0x505), "pvpanic");

	iobus_access(&vm.io_bus, 0x505, false, &data, 1);
	ck_assert_uint_eq(data, PANICKED | CRASH_LOADED);
	data = CRASH_LOADED;
	iobus_access(&vm.io_bus, 0x505, true, &data, 1);
	ck_assert_int_eq(vm.exit_status, VM_RUNNING);

	stderr_begin();
	data = PANICKED;
	iobus_access(&vm.io_bus, 0x505, true, &data, 1);
	ck_assert_int_eq(vm.exit_status, EX_SOFTWARE);
	{
		char text[256];

		stderr_end(text, sizeof(text));
		ck_assert_str_eq(text, "vmm: the guest kernel panicked\n");
	}
}
END_TEST

void add_pvpanic_tests(Suite *s)
{
	TCase *tc = tcase_create("pvpanic");

	tcase_add_test(tc, test_pvpanic_read);
	tcase_add_test(tc, test_pvpanic_write);
	tcase_add_test(tc, test_pvpanic_ends_vm);
	suite_add_tcase(s, tc);
}
