package screenshot

import "testing"

func TestChannel(t *testing.T) {
	tests := []struct {
		v, mask uint32
		want    uint8
	}{
		{0x00ff8040, 0x00ff0000, 0xff}, // 24-bit red
		{0x00ff8040, 0x0000ff00, 0x80}, // green
		{0x00ff8040, 0x000000ff, 0x40}, // blue
		{0xf800, 0xf800, 0xff},         // 5-bit red, full
		{0x07e0, 0x07e0, 0xff},         // 6-bit green, full
		{0x0010, 0x001f, 0x83},         // 5-bit blue, about half: 16*255/31
		{0, 0x001f, 0},
		{0x3ff00000, 0x3ff00000, 0xff}, // 10-bit red
		{0xffffffff, 0, 0},
	}
	for _, tt := range tests {
		if got := channel(tt.v, tt.mask); got != tt.want {
			t.Errorf("channel(%#x, %#x) = %#x, want %#x", tt.v, tt.mask, got, tt.want)
		}
	}
}
