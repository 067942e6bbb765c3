// SPDX-License-Identifier: MIT
/* A teardown that drains without bound, for check-build-rules.py's self-test
 * (never compiled). */
static void teardown(snd_pcm_t *pcm)
{
	snd_pcm_drain(pcm);
}
