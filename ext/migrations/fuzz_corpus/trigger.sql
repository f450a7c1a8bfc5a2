create trigger t after insert on x begin select 'a;b'; update y set z = case when 1 then 2 end; end; /* c */ -- d
"q""x" [a b] `c`