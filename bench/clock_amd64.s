#include "textflag.h"

#define ADD4 ADDQ $1, AX; ADDQ $1, AX; ADDQ $1, AX; ADDQ $1, AX

// func addChain(n int64) int64: n loops of 16 dependent adds.
TEXT ·addChain(SB), NOSPLIT, $0-16
	MOVQ n+0(FP), CX
	XORQ AX, AX

loop:
	ADD4
	ADD4
	ADD4
	ADD4
	DECQ CX
	JNZ  loop
	MOVQ AX, ret+8(FP)
	RET
