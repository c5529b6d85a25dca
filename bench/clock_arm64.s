#include "textflag.h"

#define ADD4 ADD  $1, R0, R0; ADD  $1, R0, R0; ADD  $1, R0, R0; ADD  $1, R0, R0

// func addChain(n int64) int64: n loops of 16 dependent adds.
TEXT ·addChain(SB), NOSPLIT, $0-16
	MOVD n+0(FP), R1
	MOVD $0, R0

loop:
	ADD4
	ADD4
	ADD4
	ADD4
	SUBS $1, R1, R1
	BNE  loop
	MOVD R0, ret+8(FP)
	RET
