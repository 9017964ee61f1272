OPENQASM 2.0;
include "qelib1.inc";
qreg q[18446744073709551615];
