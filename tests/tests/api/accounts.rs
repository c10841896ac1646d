use xuezhang_tests::*;
