/*
 * devices.c - tests of chapter 6's device map (devices.c): the slots
 * devices_open fills from --disk and --rng, in command-line order, and
 * the register pages devices_setup puts on the MMIO bus from them.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>
#include <sysexits.h>

#include "devices.h"
#include "mmiobus.h"
#include "options.h"
#include "unit.h"
#include "vm.h"

static struct vm vm;

/* --rng --disk FILE,ro --rng: three slots at the addresses of appendix A. */
START_TEST(test_devices_map)
{
	static const uint8_t sector[512];
	struct options o = { .device_count = 3 };
	static const char *const names[] = { "virtio0-rng", "virtio1-blk", "virtio2-rng" };

	o.devices[0] = (struct device_option){ .kind = DEVICE_RNG };
	o.devices[1] = (struct device_option){ .kind = DEVICE_DISK, .readonly = true,
					       .path = temp_file(sector, sizeof(sector)) };
	o.devices[2] = (struct device_option){ .kind = DEVICE_RNG };
	vm = (struct vm){ .kvm_fd = -1, .vm_fd = -1, .exit_status = VM_RUNNING };
	ck_assert_int_eq(devices_open(&vm, &o), 0);
	ck_assert_uint_eq(vm.virtio_count, 3);
	for (unsigned i = 0; i < 3; i++) {
		const struct device_slot *slot = &vm.virtio[i];

		ck_assert_int_eq(slot->kind, o.devices[i].kind);
		ck_assert_str_eq(slot->name, names[i]);
		ck_assert_uint_eq(slot->base, 0xd0000000 + i * 0x1000);
		ck_assert_uint_eq(slot->irq.irq, 5 + i);
		ck_assert_ptr_eq(slot->irq.vm, &vm);
	}
	ck_assert_uint_eq(vm.virtio[1].device.blk.capacity, 1);
	ck_assert(vm.virtio[1].device.blk.readonly);

	ck_assert_int_eq(devices_setup(&vm), 0);
	for (unsigned i = 0; i < 3; i++) {
		const struct mmio_device *page = mmiobus_find(&vm.mmio_bus, 0xd0000000 + i * 0x1000, 4);

		ck_assert_ptr_nonnull(page);
		ck_assert_str_eq(page->name, names[i]);
		ck_assert_uint_eq(page->base, vm.virtio[i].base);
		ck_assert_ptr_eq(page->opaque, &vm.virtio[i].transport);
	}
	ck_assert_ptr_null(mmiobus_find(&vm.mmio_bus, 0xd0003000, 4));
	devices_close(&vm);
}
END_TEST

/* A disk that cannot be opened: 66, one line, and the slots before it stay. */
START_TEST(test_devices_bad_disk)
{
	struct options o = { .device_count = 2 };
	int status;

	o.devices[0] = (struct device_option){ .kind = DEVICE_RNG };
	o.devices[1] = (struct device_option){ .kind = DEVICE_DISK, .path = "/nonexistent" };
	vm = (struct vm){ .kvm_fd = -1, .vm_fd = -1, .exit_status = VM_RUNNING };
	stderr_begin();
	status = devices_open(&vm, &o);
	EXPECT_FAILURE(status, EX_NOINPUT);
	ck_assert_uint_eq(vm.virtio_count, 1);
	devices_close(&vm);
}
END_TEST

void add_devices_tests(Suite *s)
{
	TCase *tc = tcase_create("devices");

	tcase_add_unchecked_fixture(tc, temp_dir_setup, temp_dir_teardown);
	tcase_add_test(tc, test_devices_map);
	tcase_add_test(tc, test_devices_bad_disk);
	suite_add_tcase(s, tc);
}
