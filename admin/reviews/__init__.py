"""三评: self and peer reviews against the 五带头 standard and the member's own pledges
(quarterly), leader reviews (领导点评, half-yearly), published when a round closes."""
