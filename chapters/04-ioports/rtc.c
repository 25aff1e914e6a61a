/*
 * rtc.c - the CMOS real-time clock: the PC's battery-backed clock.
 *
 * The PC/AT put a Motorola MC146818A at ports 0x70/0x71: 14 clock and
 * status registers followed by battery-backed RAM (firmware settings),
 * 128 bytes in all. Software writes a register number to port 0x70 and
 * reads or writes its value at port 0x71. Bit 7 of the byte written to
 * 0x70 is not part of the number: on the PC it masks the NMI.
 *
 * The time registers hold the host's time of day (UTC, as Linux expects
 * on a PC it did not find Windows on), in BCD or binary and in 24- or
 * 12-hour form, as the guest chose in status register B. Status A's UIP
 * bit is set during the last 244 microseconds before each second's
 * update: software that sees it waits, so it never reads a half-updated
 * time. The clock follows the host: a guest's writes to the time
 * registers are ignored; status B and the RAM keep what is written.
 *
 * Reference: Motorola MC146818A data sheet (register map, figure 4;
 * status registers A-D; BCD and 12-hour formats); Linux
 * arch/x86/kernel/rtc.c and include/linux/mc146818rtc.h.
 */
#include "rtc.h"

#include <stddef.h>

#define NSEC_PER_SEC 1000000000L
#define TM_BASE_YEAR 1900

static void host_clock(struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
}

/* rtc_init - the clock at power-on: 24-hour BCD, valid, host time. */
void rtc_init(struct rtc *rtc)
{
	*rtc = (struct rtc){ .now = host_clock };
	rtc->cmos[RTC_STATUS_A] = RTC_A_DEFAULT;
	rtc->cmos[RTC_STATUS_B] = RTC_B_DEFAULT;
	rtc->cmos[RTC_STATUS_D] = RTC_D_VRT;
}

static uint8_t to_bcd(unsigned value)
{
	return (uint8_t)((value / 10) << 4 | value % 10);
}

/* A time field in the format status B asks for. */
static uint8_t encode(const struct rtc *rtc, unsigned value)
{
	if (rtc->cmos[RTC_STATUS_B] & RTC_B_DM_BINARY)
		return (uint8_t)value;
	return to_bcd(value);
}

/* The hours register: 0-23, or 1-12 with bit 7 for PM. */
static uint8_t encode_hours(const struct rtc *rtc, unsigned hour)
{
	if (rtc->cmos[RTC_STATUS_B] & RTC_B_24H)
		return encode(rtc, hour);
	unsigned hour12 = hour % 12 == 0 ? 12 : hour % 12;
	return encode(rtc, hour12) | (hour >= 12 ? RTC_HOURS_PM : 0);
}

/* Value of time register `reg` at time `tm`. */
static uint8_t time_register(const struct rtc *rtc, const struct tm *tm, int reg)
{
	unsigned year = (unsigned)tm->tm_year + TM_BASE_YEAR;

	switch (reg) {
	case RTC_SECONDS:      return encode(rtc, (unsigned)tm->tm_sec);
	case RTC_MINUTES:      return encode(rtc, (unsigned)tm->tm_min);
	case RTC_HOURS:        return encode_hours(rtc, (unsigned)tm->tm_hour);
	case RTC_DAY_OF_WEEK:  return encode(rtc, (unsigned)tm->tm_wday + 1);
	case RTC_DAY_OF_MONTH: return encode(rtc, (unsigned)tm->tm_mday);
	case RTC_MONTH:        return encode(rtc, (unsigned)tm->tm_mon + 1);
	case RTC_YEAR:         return encode(rtc, year % 100);
	default:               return encode(rtc, year / 100); /* century */
	}
}

static bool is_time_register(int reg)
{
	return reg == RTC_SECONDS || reg == RTC_MINUTES || reg == RTC_HOURS ||
	       (reg >= RTC_DAY_OF_WEEK && reg <= RTC_YEAR) || reg == RTC_CENTURY;
}

/* The register the index points at, as the guest reads it now. */
static uint8_t read_register(struct rtc *rtc)
{
	struct timespec ts;
	struct tm tm;
	uint8_t value;

	rtc->now(&ts);
	if (is_time_register(rtc->index)) {
		gmtime_r(&ts.tv_sec, &tm);
		return time_register(rtc, &tm, rtc->index);
	}
	switch (rtc->index) {
	case RTC_STATUS_A:
		value = rtc->cmos[RTC_STATUS_A] & ~RTC_A_UIP;
		if (ts.tv_nsec >= NSEC_PER_SEC - RTC_UIP_NSEC)
			value |= RTC_A_UIP;
		return value;
	case RTC_STATUS_C:
		/* Interrupt flags, cleared by reading; we raise no RTC IRQ. */
		value = rtc->cmos[RTC_STATUS_C];
		rtc->cmos[RTC_STATUS_C] = 0;
		return value;
	default:
		return rtc->cmos[rtc->index];
	}
}

static void write_register(struct rtc *rtc, uint8_t value)
{
	if (is_time_register(rtc->index) || rtc->index == RTC_STATUS_C ||
	    rtc->index == RTC_STATUS_D)
		return; /* the clock follows the host; C and D are read-only */
	if (rtc->index == RTC_STATUS_A)
		value &= ~RTC_A_UIP; /* read-only bit */
	rtc->cmos[rtc->index] = value;
}

/* rtc_read - port 0x70 is write-only (reads float); 0x71 is the data. */
uint8_t rtc_read(void *opaque, uint16_t offset)
{
	struct rtc *rtc = opaque;

	if (offset == RTC_INDEX_PORT)
		return 0xff;
	return read_register(rtc);
}

/* rtc_write - port 0x70 selects a register, port 0x71 writes it. */
void rtc_write(void *opaque, uint16_t offset, uint8_t value)
{
	struct rtc *rtc = opaque;

	if (offset == RTC_INDEX_PORT) {
		rtc->index = value & RTC_INDEX_MASK;
		return;
	}
	write_register(rtc, value);
}
