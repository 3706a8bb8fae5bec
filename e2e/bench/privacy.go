package bench

// privacyGoals are the keys of BenchmarkPrivacy: what masking a private
// window costs the agent per 1080p frame (issue 19: at most 1 ms).
func privacyGoals() []Goal {
	return []Goal{
		{"mask_ms_1080p_p50", "masking a private window in a 1080p frame (X round trip and paint), median", "ms", 1, 0},
		{"mask_ms_1080p_p95", "masking a private window in a 1080p frame (X round trip and paint), p95", "ms", 0, 0},
	}
}
