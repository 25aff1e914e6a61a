/*
 * rtc.h - the CMOS real-time clock (Motorola MC146818A).
 */
#ifndef RTC_H
#define RTC_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define RTC_BASE  0x70          /* 0x70: index (and NMI mask), 0x71: data */
#define RTC_PORTS 2
#define RTC_INDEX_PORT 0
#define CMOS_SIZE 128

/* Register numbers (MC146818A data sheet, figure 4). */
enum rtc_register {
	RTC_SECONDS = 0x00,
	RTC_MINUTES = 0x02,
	RTC_HOURS = 0x04,
	RTC_DAY_OF_WEEK = 0x06,
	RTC_DAY_OF_MONTH = 0x07,
	RTC_MONTH = 0x08,
	RTC_YEAR = 0x09,
	RTC_STATUS_A = 0x0a,
	RTC_STATUS_B = 0x0b,
	RTC_STATUS_C = 0x0c,
	RTC_STATUS_D = 0x0d,
	RTC_CENTURY = 0x32,     /* the PC/AT's convention, not the chip's */
};

#define RTC_A_UIP      0x80     /* update in progress: don't read now */
#define RTC_A_DEFAULT  0x26     /* 32.768 kHz time base, 1024 Hz rate */
#define RTC_B_DM_BINARY 0x04    /* data mode: binary instead of BCD */
#define RTC_B_24H      0x02     /* 24-hour instead of 12-hour hours */
#define RTC_B_DEFAULT  RTC_B_24H
#define RTC_D_VRT      0x80     /* valid RAM and time: the battery is fine */
#define RTC_HOURS_PM   0x80     /* in 12-hour mode, the hour's top bit */
/* Port 0x70: bits 6:0 pick the register; bit 7 masks the NMI, which
 * this machine never raises, so it is dropped. */
#define RTC_INDEX_MASK 0x7f
/* UIP is set this long before each update (data sheet: 244 us). */
#define RTC_UIP_NSEC   244000L

struct rtc {
	uint8_t index;          /* the register port 0x71 reaches */
	uint8_t cmos[CMOS_SIZE]; /* status registers and battery-backed RAM */
	/* The host's wall clock; tests put a fixed one here. */
	void (*now)(struct timespec *ts);
};

void rtc_init(struct rtc *rtc);
uint8_t rtc_read(void *opaque, uint16_t offset);
void rtc_write(void *opaque, uint16_t offset, uint8_t value);

#endif
