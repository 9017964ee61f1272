// A 3-qubit circuit with long idle windows (qubit 1 waits while qubit 0 works, qubit 2
// waits from the start), for the dynamical-decoupling reference.
OPENQASM 2.0;
include "qelib1.inc";
qreg q[3];
h q[0];
cx q[0],q[1];
rx(0.3) q[0];
rz(0.5) q[0];
rx(0.2) q[0];
ry(0.4) q[0];
rz(0.1) q[0];
rx(0.7) q[0];
h q[0];
rz(0.9) q[0];
rx(1.1) q[0];
cx q[0],q[2];
cx q[1],q[2];
h q[1];
