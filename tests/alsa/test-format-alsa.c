// SPDX-License-Identifier: MIT
/*
 * The ALSA half of the format table agrees with alsa-lib: names, physical
 * widths (the S24 container is 4 octets) and the round trip.
 */
#include <alsa/asoundlib.h>

#include "vtest.h"
#include "vsnd/format-alsa.h"

TEST(table_matches_alsa_lib)
{
	for (unsigned int c = 0; c < VSND_FORMAT_COUNT; c++) {
		const struct vsnd_format_info *f = vsnd_format_info(c);
		snd_pcm_format_t a = vsnd_format_to_alsa(c);
		int phys = snd_pcm_format_physical_width(a);

		ASSERT_NE(a, SND_PCM_FORMAT_UNKNOWN);
		ASSERT_STREQ(snd_pcm_format_name(a), f->alsa_name);
		ASSERT_EQ(vsnd_format_from_alsa(a), c);
		if (f->phys_bytes)
			ASSERT_EQ(phys, f->phys_bytes * 8);
		else
			ASSERT_TRUE(phys <= 0 || phys % 8 != 0 || c >= XENSND_PCM_FORMAT_IMA_ADPCM);
		if (f->phys_bytes)
			ASSERT_EQ(snd_pcm_format_width(a), f->width_bits);
	}
}

TEST(formats_sndif_lacks)
{
	ASSERT_EQ(vsnd_format_to_alsa(VSND_FORMAT_COUNT), SND_PCM_FORMAT_UNKNOWN);
	ASSERT_EQ(vsnd_format_to_alsa(255), SND_PCM_FORMAT_UNKNOWN);
	ASSERT_ERR(vsnd_format_from_alsa(SND_PCM_FORMAT_S24_3LE), EINVAL);
	ASSERT_ERR(vsnd_format_from_alsa(SND_PCM_FORMAT_DSD_U8), EINVAL);
}
