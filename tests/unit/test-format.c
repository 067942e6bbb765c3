// SPDX-License-Identifier: MIT
/*
 * The format table: names in both spellings, physical widths (S24 is four
 * octets), and octet <-> frame conversion at its limits.
 */
#include <errno.h>

#include "vtest.h"
#include "vsnd/format.h"
#include "vsnd/wire.h"

TEST(every_code_has_a_row)
{
	for (unsigned int c = 0; c < VSND_FORMAT_COUNT; c++) {
		const struct vsnd_format_info *f = vsnd_format_info(c);

		ASSERT_NOT_NULL(f);
		ASSERT_EQ(f->code, c);
		ASSERT_EQ(vsnd_format_from_name(f->name, strlen(f->name)), c);
	}
	ASSERT_NULL(vsnd_format_info(VSND_FORMAT_COUNT));
	ASSERT_NULL(vsnd_format_info(255));
	ASSERT_NULL(vsnd_format_info(0xffffffffu));
	ASSERT_STREQ(vsnd_format_to_string(200), "unknown");
}

TEST(physical_widths)
{
	static const struct {
		unsigned int code, bytes;
	} rows[] = {
		{ XENSND_PCM_FORMAT_S8, 1 },	   { XENSND_PCM_FORMAT_U8, 1 },
		{ XENSND_PCM_FORMAT_S16_LE, 2 },   { XENSND_PCM_FORMAT_U16_BE, 2 },
		{ XENSND_PCM_FORMAT_S24_LE, 4 },   { XENSND_PCM_FORMAT_U24_BE, 4 },
		{ XENSND_PCM_FORMAT_S32_LE, 4 },   { XENSND_PCM_FORMAT_F32_BE, 4 },
		{ XENSND_PCM_FORMAT_F64_LE, 8 },   { XENSND_PCM_FORMAT_IEC958_SUBFRAME_LE, 4 },
		{ XENSND_PCM_FORMAT_MU_LAW, 1 },   { XENSND_PCM_FORMAT_A_LAW, 1 },
		{ XENSND_PCM_FORMAT_IMA_ADPCM, 0 }, { XENSND_PCM_FORMAT_MPEG, 0 },
		{ XENSND_PCM_FORMAT_GSM, 0 },	   { 25, 0 },
		{ 255, 0 },
	};

	for (unsigned int i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		ASSERT_EQ(vsnd_format_phys_bytes(rows[i].code), rows[i].bytes);
	/* The fixed-size mask is exactly the formats with a width. */
	for (unsigned int c = 0; c < VSND_FORMAT_COUNT; c++)
		ASSERT_EQ(!!(VSND_FORMATS_FIXED & VSND_FORMAT_BIT(c)), vsnd_format_phys_bytes(c) > 0);
}

TEST(names_both_spellings_case_insensitive)
{
	ASSERT_EQ(vsnd_format_from_name("float_le", 8), XENSND_PCM_FORMAT_F32_LE);
	ASSERT_EQ(vsnd_format_from_name("f32_le", 6), XENSND_PCM_FORMAT_F32_LE);
	ASSERT_EQ(vsnd_format_from_name("F32_BE", 6), XENSND_PCM_FORMAT_F32_BE);
	ASSERT_EQ(vsnd_format_from_name("float64_be", 10), XENSND_PCM_FORMAT_F64_BE);
	ASSERT_EQ(vsnd_format_from_name("f64_le", 6), XENSND_PCM_FORMAT_F64_LE);
	ASSERT_EQ(vsnd_format_from_name("S16_LE", 6), XENSND_PCM_FORMAT_S16_LE);
	/* A length that stops inside a longer list entry. */
	ASSERT_EQ(vsnd_format_from_name("s16_le,s32_le", 6), XENSND_PCM_FORMAT_S16_LE);
	ASSERT_ERR(vsnd_format_from_name("s16_l", 5), EINVAL);
	ASSERT_ERR(vsnd_format_from_name("s16_le ", 7), EINVAL);
	ASSERT_ERR(vsnd_format_from_name(" s16_le", 7), EINVAL);
	ASSERT_ERR(vsnd_format_from_name("", 0), EINVAL);
	ASSERT_ERR(vsnd_format_from_name(NULL, 3), EINVAL);
	ASSERT_ERR(vsnd_format_from_name("s24_3le", 7), EINVAL);
	/* 25 characters: longer than any sndif entry may be. */
	ASSERT_ERR(vsnd_format_from_name("iec958_subframe_le_xxxxxx", 25), EINVAL);
}

TEST(frame_conversions)
{
	uint32_t v;

	ASSERT_OK(vsnd_frame_bytes(XENSND_PCM_FORMAT_S24_LE, 2, &v));
	ASSERT_EQ(v, 8);
	ASSERT_OK(vsnd_bytes_to_frames(65536, XENSND_PCM_FORMAT_S16_LE, 2, &v));
	ASSERT_EQ(v, 16384);
	ASSERT_OK(vsnd_bytes_to_frames(0, XENSND_PCM_FORMAT_S16_LE, 2, &v));
	ASSERT_EQ(v, 0);
	ASSERT_ERR(vsnd_bytes_to_frames(6, XENSND_PCM_FORMAT_S16_LE, 2, &v), EINVAL);
	ASSERT_ERR(vsnd_bytes_to_frames(8, XENSND_PCM_FORMAT_GSM, 2, &v), EINVAL);
	ASSERT_ERR(vsnd_bytes_to_frames(8, XENSND_PCM_FORMAT_S16_LE, 0, &v), EINVAL);
	ASSERT_ERR(vsnd_frame_bytes(XENSND_PCM_FORMAT_S16_LE, 256, &v), EINVAL);
	/* 2^32 frames of one octet no longer fit a u32. */
	ASSERT_ERR(vsnd_bytes_to_frames(UINT64_C(1) << 32, XENSND_PCM_FORMAT_U8, 1, &v), EOVERFLOW);
	ASSERT_OK(vsnd_frames_to_bytes(UINT32_MAX / 8, XENSND_PCM_FORMAT_F64_LE, 1, &v));
	ASSERT_EQ_U(v, (UINT32_MAX / 8) * 8);
	ASSERT_ERR(vsnd_frames_to_bytes(UINT32_MAX / 8 + 1, XENSND_PCM_FORMAT_F64_LE, 1, &v),
		   EOVERFLOW);
	ASSERT_ERR(vsnd_frames_to_bytes(UINT64_MAX, XENSND_PCM_FORMAT_U8, 255, &v), EOVERFLOW);
}
