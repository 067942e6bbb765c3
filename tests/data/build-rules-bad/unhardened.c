// SPDX-License-Identifier: MIT
/* A program built without hardening, for check-build-rules.py's self-test. */
int main(void)
{
	return 0;
}
