package vigil.escalate
confirm if {
