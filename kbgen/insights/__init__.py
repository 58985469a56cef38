"""What the help center teaches: `kbgen link`, `kbgen gaps`, `kbgen report`."""
